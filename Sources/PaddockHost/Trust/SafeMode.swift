import PaddockPosix

/// Safe mode loads only the plugins shipped with Paddock: a name Paddock ships, in a directory
/// Paddock installs them to (beside the `paddock` executable, its `../lib/paddock/plugins`, or
/// /usr/lib/paddock/plugins). Everything else is listed as `skipped`.
public struct SafeMode: Sendable {
    public var enabled: Bool
    public var firstPartyDirectories: Set<String>

    /// The drivers built from this repository.
    public static let shippedNames: Set<String> = [
        "host-local", "vxlan", "ipsec", "calico", "weave", "haproxy", "nginx", "nfs", "ebs",
        "cattle", "swarm", "kubernetes", "mesos",
    ]

    public init(enabled: Bool, executable: String) {
        self.enabled = enabled
        let bin = AtomicFile.parentDirectoryPath(of: executable)
        let prefix = AtomicFile.parentDirectoryPath(of: bin)
        firstPartyDirectories = [bin, "\(prefix)/lib/paddock/plugins", "/usr/lib/paddock/plugins"]
    }

    /// nil when the plugin may load, else why it is skipped.
    public func skipReason(name: String, directory: String) -> String? {
        guard enabled else { return nil }
        let resolved = (try? FileSystem.realPath(directory)) ?? directory
        let shippedDirectory = firstPartyDirectories.contains(directory) || firstPartyDirectories.contains(resolved)
        guard SafeMode.shippedNames.contains(name) && shippedDirectory else {
            return "safe mode: only plugins shipped with Paddock load (this one is third-party); run without --safe-mode to use it"
        }
        return nil
    }
}
