/// Where a volume's data lives: a directory on an NFS server.
public struct ServerLocation: Equatable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// Absolute path as the server exports it (the NFSv4 pseudo path), without a trailing '/'.
    public var path: String

    public init(host: String, port: Int, path: String) {
        self.host = host
        self.port = port
        self.path = ServerLocation.normalized(path)
    }

    public var description: String { "\(host):\(port)\(path)" }

    /// The libnfs URL of this directory; the port travels in the URL (libnfs 4.0 has no setter).
    public func url(version: NFSVersion) -> String {
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "nfs://\(hostPart)\(path.isEmpty ? "/" : path)?version=\(version.major)&nfsport=\(port)"
    }

    /// Both name the same directory, or one lies inside the other: two volumes must never do that.
    public func overlaps(_ other: ServerLocation) -> Bool {
        guard host.lowercased() == other.host.lowercased(), port == other.port else { return false }
        return path == other.path || path.hasPrefix(other.path + "/") || other.path.hasPrefix(path + "/")
            || path.isEmpty || other.path.isEmpty
    }

    public func appending(_ component: String) -> ServerLocation {
        ServerLocation(host: host, port: port, path: path + "/" + component)
    }

    static func normalized(_ path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        return parts.isEmpty ? "" : "/" + parts.joined(separator: "/")
    }
}
