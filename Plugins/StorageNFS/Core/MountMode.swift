/// How a volume is mounted on this host.
public enum MountMode: String, Sendable, CaseIterable {
    /// The kernel's NFS client when /proc/filesystems lists it, else the userspace helper.
    case auto
    /// `mount -t nfs4` only.
    case kernel
    /// The userspace helper (libfuse3 + libnfs) only.
    case fuse

    /// The path `auto` resolves to, given the kernel's filesystem list.
    public func resolved(kernelHasNFS: Bool) -> MountMode {
        self == .auto ? (kernelHasNFS ? .kernel : .fuse) : self
    }

    /// Whether /proc/filesystems (its text) lists the NFS client for `version`.
    public static func kernelSupports(_ version: NFSVersion, filesystems: String) -> Bool {
        filesystems.split(separator: "\n").contains { line in
            line.split(whereSeparator: { $0 == " " || $0 == "\t" }).last.map(String.init) == version.kernelType
        }
    }
}
