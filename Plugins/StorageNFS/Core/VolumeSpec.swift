/// Everything needed to provision, mount and remove one volume: the enable config with the
/// volume's own options applied.
public struct VolumeSpec: Equatable, Sendable {
    public enum Layout: Equatable, Sendable {
        /// `exportBase`: the volume is a subdirectory named after it.
        case subdirectory(base: String)
        /// `export`: the volume is the export (or directory) itself, shared as is.
        case whole(export: String)
    }

    public var name: VolumeName
    public var host: String
    public var port: Int
    public var layout: Layout
    public var mntOptions: [String]
    public var version: NFSVersion
    public var onRemove: OnRemove

    /// The directory the volume's data is in.
    public var location: ServerLocation {
        switch layout {
        case .subdirectory(let base): ServerLocation(host: host, port: port, path: base).appending(name.value)
        case .whole(let export): ServerLocation(host: host, port: port, path: export)
        }
    }

    /// The directory provisioning connects to: the base for a subdirectory, the export otherwise.
    public var parent: ServerLocation {
        switch layout {
        case .subdirectory(let base): ServerLocation(host: host, port: port, path: base)
        case .whole(let export): ServerLocation(host: host, port: port, path: export)
        }
    }

    /// Options for `mount -t nfs4 -o …`: the port and version unless mntOptions set them.
    public var kernelMountOptions: String {
        var options = mntOptions
        let keys = Set(options.map { $0.split(separator: "=").first.map(String.init) ?? $0 })
        if !keys.contains("port") { options.append("port=\(port)") }
        if !keys.contains("vers"), !keys.contains("nfsvers") { options.append("vers=\(version)") }
        return options.joined(separator: ",")
    }

    /// mntOptions the userspace mount honours (as FUSE options) and those it cannot.
    public var fuseMountOptions: (honoured: [String], ignored: [String]) {
        var honoured: [String] = [], ignored: [String] = []
        for option in mntOptions {
            if ["ro", "rw", "noexec", "nosuid", "nodev", "noatime", "sync"].contains(option) {
                honoured.append(option)
            } else {
                ignored.append(option)
            }
        }
        return (honoured, ignored)
    }
}
