/// The NFS protocol version a volume is reached with: 3, or 4 with an optional minor version.
public struct NFSVersion: Equatable, Sendable, CustomStringConvertible {
    public var major: Int
    public var minor: Int?

    public init(major: Int, minor: Int? = nil) {
        self.major = major
        self.minor = minor
    }

    /// "4", "4.1", "3", and rancher's question forms "nfsvers=4" / "vers=4.1".
    public init(parsing text: String) throws(NFSSettingsError) {
        var value = Substring(text)
        for prefix in ["nfsvers=", "vers="] where value.hasPrefix(prefix) { value = value.dropFirst(prefix.count) }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        let fix = "use 3, 4, 4.0, 4.1 or 4.2"
        guard (1...2).contains(parts.count), let major = Int(parts[0]), major == 3 || major == 4 else {
            throw NFSSettingsError("nfsVersion \"\(text)\" is not an NFS version", fix: fix)
        }
        var minor: Int?
        if parts.count == 2 {
            guard major == 4, let parsed = Int(parts[1]), (0...2).contains(parsed) else {
                throw NFSSettingsError("nfsVersion \"\(text)\" is not an NFS version", fix: fix)
            }
            minor = parsed
        }
        self.init(major: major, minor: minor)
    }

    public var description: String { minor.map { "\(major).\($0)" } ?? "\(major)" }

    /// The kernel's filesystem type for this version.
    public var kernelType: String { major == 4 ? "nfs4" : "nfs" }
}
