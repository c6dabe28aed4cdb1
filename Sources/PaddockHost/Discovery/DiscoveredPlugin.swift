import PaddockCore
import PaddockPosix

/// One `.so` found on the plugin path, with what its file says and its status on this host.
public struct DiscoveredPlugin: Sendable {
    /// The path as found in the plugin directory.
    public var path: String
    public var directory: String

    public init(path: String, directory: String, fileStatus: FileStatus?, file: PluginFile?,
                status: PluginStatus, reason: String) {
        self.path = path
        self.directory = directory
        self.fileStatus = fileStatus
        self.file = file
        self.status = status
        self.reason = reason
    }

    public var fileStatus: FileStatus?
    public var file: PluginFile?
    public var status: PluginStatus
    public var reason: String
    /// The trusted key that signed the file, when it is signed.
    public var signer: String?
    /// Why the last probe of this exact file failed (from the scan cache).
    public var quarantine: String?

    /// The manifest's name, or the file name without `lib` and `.so` when there is none.
    public var name: String {
        if let name = file?.manifest?.name { return name }
        var base = String(path.split(separator: "/").last ?? Substring(path))
        if base.hasSuffix(".so") { base.removeLast(3) }
        if base.hasPrefix("lib") { base.removeFirst(3) }
        return base
    }

    public var manifest: PluginManifest? { file?.manifest }
    public var kinds: [PluginKind] { manifest?.kinds ?? [] }
    public var version: String { manifest?.version ?? "" }
    public var abi: String { manifest?.abi.description ?? "" }

    /// True when the file could be loaded as far as reading it tells.
    public var isLoadable: Bool { status == .enabled || status == .disabled }
}
