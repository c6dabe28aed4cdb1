/// What Paddock remembers about one volume of one driver, so that adapters restarted at any time
/// know every volume and every mount (Docker's mount IDs, kubelet's directories).
public struct VolumeRecord: Codable, Sendable, Equatable {
    public var name: String
    public var driver: String
    public var options: [String: String]
    public var createdAt: String
    public var mounts: [MountRecord]

    public init(name: String, driver: String, options: [String: String], createdAt: String, mounts: [MountRecord] = []) {
        self.name = name
        self.driver = driver
        self.options = options
        self.createdAt = createdAt
        self.mounts = mounts
    }

    /// Where the volume is visible while mounted: the first mount's path, "" when not mounted.
    public var mountpoint: String { mounts.first.map { $0.target ?? $0.mountpoint } ?? "" }
}

/// One holder of a mount: a Docker container's ID, a kubelet directory, a person's `--id`.
public struct MountRecord: Codable, Sendable, Equatable {
    public var id: String
    /// The driver's mountpoint for this mount.
    public var mountpoint: String
    /// Where Paddock bind-mounted it (kubelet's directory, `--target`), if anywhere.
    public var target: String?
    public var readOnly: Bool

    public init(id: String, mountpoint: String, target: String? = nil, readOnly: Bool = false) {
        self.id = id
        self.mountpoint = mountpoint
        self.target = target
        self.readOnly = readOnly
    }
}
