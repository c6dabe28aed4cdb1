import PaddockCore
import PaddockPosix

/// Finds plugins on the plugin path by reading files only (never dlopen): the `.so` files of each
/// directory, in path order. One broken file never hides another. Each file is checked for trust
/// (owner, mode), read through the scan cache, its signature checked, and safe mode applied.
public struct PluginScanner: Sendable {
    public var pluginPath: [String]
    /// Directories the operator named (flag or environment) must exist; default ones may not.
    public var explicitDirectories: Set<String>
    public var trust: TrustPolicy
    public var signatures: SignaturePolicy?
    public var safeMode: SafeMode?
    /// Where the scan cache lives; nil scans without one.
    public var cachePath: String?

    public init(pluginPath: [String], explicitDirectories: Set<String> = [], trust: TrustPolicy = TrustPolicy(),
                signatures: SignaturePolicy? = nil, safeMode: SafeMode? = nil, cachePath: String? = nil) {
        self.pluginPath = pluginPath
        self.explicitDirectories = explicitDirectories
        self.trust = trust
        self.signatures = signatures
        self.safeMode = safeMode
        self.cachePath = cachePath
    }

    /// Scans every directory; throws only when an explicitly named directory is unusable.
    public func scan() throws(HostError) -> [DiscoveredPlugin] {
        var cache = cachePath.map(ScanCache.load)
        var found: [DiscoveredPlugin] = []
        for directory in pluginPath {
            let names: [String]
            var directoryProblem: String?
            do {
                let status = try FileSystem.status(directory)
                guard status.kind == .directory else {
                    throw HostError(.unusablePath, "plugin path entry \(directory) is not a directory",
                                    hint: "fix --plugin-path or PADDOCK_PLUGIN_PATH")
                }
                directoryProblem = trust.problem(with: status, path: directory, what: "plugin directory")
                names = try FileSystem.list(directory)
            } catch let error as SystemError {
                if !explicitDirectories.contains(directory) { continue }
                throw HostError(.unusablePath, "plugin directory \(directory) is unusable: \(error)",
                                hint: "create it, or fix --plugin-path / PADDOCK_PLUGIN_PATH")
            } catch let error as HostError {
                if !explicitDirectories.contains(directory) { continue }
                throw error
            } catch {
                continue
            }
            for name in names where name.hasSuffix(".so") {
                let path = directory == "/" ? "/\(name)" : "\(directory)/\(name)"
                var plugin = inspect(path: path, directory: directory, cache: &cache)
                // Every file of an untrusted directory is refused: anyone could have put it there.
                if let directoryProblem {
                    plugin.status = .error
                    plugin.reason = directoryProblem
                }
                found.append(plugin)
            }
        }
        markDuplicates(&found)
        if var cache {
            cache.retain(only: Set(found.map(\.path)))
            cache.save()
        }
        return found
    }

    /// Reads one file outside any scan (e.g. `plugin install`'s candidate), without the cache.
    public func inspect(path: String, directory: String) -> DiscoveredPlugin {
        var none: ScanCache?
        return inspect(path: path, directory: directory, cache: &none)
    }

    /// Reads one file; every failure becomes an `error` row naming the file and the fix.
    func inspect(path: String, directory: String, cache: inout ScanCache?) -> DiscoveredPlugin {
        var plugin = DiscoveredPlugin(path: path, directory: directory, fileStatus: nil, file: nil,
                                      status: .disabled, reason: "")
        do throws(SystemError) {
            let link = try FileSystem.linkStatus(path)
            let status = link.kind == .symlink ? try FileSystem.status(path) : link
            plugin.fileStatus = status
            guard status.kind == .regular else {
                plugin.status = .error
                plugin.reason = "not a regular file (\(status.kind.rawValue)); a plugin is a shared object file"
                return plugin
            }
            let identity = FileIdentity(status)
            var bytes: [UInt8]?
            if let entry = cache?.lookup(path, identity: identity) {
                plugin.file = entry.file
                plugin.quarantine = entry.quarantine
            } else {
                let read = try FileSystem.read(path)
                bytes = read
                let file = PluginFile.inspect(bytes: read)
                plugin.file = file
                cache?.store(path, identity: identity, result: file)
            }
            if let problem = trust.problem(with: status, path: path, what: "plugin file") {
                plugin.status = .error
                plugin.reason = problem
                return plugin
            }
            switch plugin.file?.verdict ?? .loadable {
            case .loadable: break
            case .skipped(let reason):
                plugin.status = .skipped
                plugin.reason = reason
                return plugin
            case .error(let reason):
                plugin.status = .error
                plugin.reason = reason
                return plugin
            }
            if let signatures, signatures.required || FileSystem.exists(PluginSignature.path(for: path)) {
                let content: [UInt8]
                if let bytes { content = bytes } else { content = try FileSystem.read(path) }
                switch signatures.check(path: path, bytes: content) {
                case .unsigned: break
                case .signed(let signer): plugin.signer = signer
                case .refused(let reason):
                    plugin.status = .error
                    plugin.reason = reason
                    return plugin
                }
            }
            if let safeMode, let reason = safeMode.skipReason(name: plugin.name, directory: directory) {
                plugin.status = .skipped
                plugin.reason = reason
                return plugin
            }
            if let quarantine = plugin.quarantine {
                plugin.status = .error
                plugin.reason = "quarantined: \(quarantine); fix or replace the file, or run `paddock plugin reset \(plugin.name)`"
            }
        } catch {
            plugin.status = .error
            switch error.errno {
            case 40: plugin.reason = "symlink loop (ELOOP); point the link at a real file or remove it"
            case 13: plugin.reason = "cannot read it: permission denied; make it readable by this user (chmod a+r) or remove it"
            case 2: plugin.reason = "dangling symlink: its target does not exist"
            default: plugin.reason = "cannot read it: \(error)"
            }
        }
        return plugin
    }

    /// Two files claiming one name: both become errors naming each other; neither wins.
    private func markDuplicates(_ plugins: inout [DiscoveredPlugin]) {
        var byName: [String: [Int]] = [:]
        for (index, plugin) in plugins.enumerated() where plugin.manifest != nil && plugin.status != .skipped {
            byName[plugin.name, default: []].append(index)
        }
        for (name, indices) in byName where indices.count > 1 {
            for index in indices {
                let others = indices.filter { $0 != index }.map { plugins[$0].path }
                plugins[index].status = .error
                plugins[index].reason = "duplicate name \"\(name)\": also claimed by \(others.joined(separator: ", ")); remove or rename one of them"
            }
        }
    }
}
