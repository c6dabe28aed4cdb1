import PaddockCore
import PaddockPosix

/// The manifest in the file (what `plugin list` shows) must say what the running descriptor says:
/// name, version, kinds, thread safety, and the ABI major.
enum ManifestAgreement {
    static func check(path: String, descriptor: RuntimeDescriptor) -> ConformanceCheckResult {
        let name = ConformanceCheckName.manifestAgrees
        let manifest: PluginManifest
        switch readManifest(path) {
        case .failure(let why): return .fail(name, why.description)
        case .success(let read): manifest = read
        }
        var problems: [String] = []
        if manifest.name != descriptor.name {
            problems.append("name is \"\(manifest.name)\" in the manifest but \"\(descriptor.name)\" in the plugin table")
        }
        if manifest.version != descriptor.version {
            problems.append("version is \"\(manifest.version)\" in the manifest but \"\(descriptor.version)\" in the plugin table")
        }
        if manifest.kinds.sorted() != descriptor.kinds.sorted() {
            problems.append("kinds are [\(manifest.kinds.map(\.rawValue).joined(separator: ","))] in the manifest but [\(descriptor.kinds.map(\.rawValue).joined(separator: ","))] in the plugin table")
        }
        if manifest.threadSafe != descriptor.threadSafe {
            problems.append("thread_safe is \(manifest.threadSafe) in the manifest but the table's flags say \(descriptor.threadSafe ? "PADDOCK_PLUGIN_THREAD_SAFE" : "not thread-safe")")
        }
        if manifest.abi.major != descriptor.abi.major {
            problems.append("abi is \(manifest.abi) in the manifest but the plugin negotiated \(descriptor.abi)")
        }
        guard problems.isEmpty else {
            return .fail(name, problems.joined(separator: "; ") + "; make PADDOCK_MANIFEST and the paddock_plugin table say the same")
        }
        return .pass(name)
    }

    static func readManifest(_ path: String) -> Result<PluginManifest, ManifestReadFailure> {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(path)
        } catch {
            return .failure(ManifestReadFailure("cannot read \(path): \(error)"))
        }
        let file = PluginFile.inspect(bytes: bytes)
        if let manifest = file.manifest { return .success(manifest) }
        switch file.verdict {
        case .error(let why), .skipped(let why): return .failure(ManifestReadFailure("the file's manifest is unusable: \(why)"))
        case .loadable: return .failure(ManifestReadFailure("the file has no manifest; embed one with PADDOCK_MANIFEST(...)"))
        }
    }
}

struct ManifestReadFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
