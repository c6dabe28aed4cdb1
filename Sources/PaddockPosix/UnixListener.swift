import Glibc

/// A listening Unix stream socket at a path (for `paddock cni serve`); accepted connections are
/// SocketChannels speaking the same length-prefixed frames as workers.
public final class UnixListener: @unchecked Sendable {
    public let descriptor: Int32
    public let path: String

    /// Binds `path` (a stale socket file there is replaced) with mode 0600 and listens.
    public init(path: String, backlog: Int32 = 128) throws(SystemError) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw SystemError("bind", errno: ENAMETOOLONG, path: path) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        unlink(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            let error = SystemError("bind", path: path)
            Glibc.close(fd)
            throw error
        }
        chmod(path, 0o600)
        guard listen(fd, backlog) == 0 else {
            let error = SystemError("listen", path: path)
            Glibc.close(fd)
            throw error
        }
        descriptor = fd
        self.path = path
    }

    /// The next connection (EINTR retried).
    public func accept() throws(SystemError) -> SocketChannel {
        while true {
            // accept4 is behind _GNU_SOURCE; accept, then mark close-on-exec.
            let fd = Glibc.accept(descriptor, nil, nil)
            if fd >= 0 {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                return SocketChannel(descriptor: fd)
            }
            if errno == EINTR || errno == ECONNABORTED { continue }
            throw SystemError("accept", path: path)
        }
    }

    public func close() {
        Glibc.close(descriptor)
        unlink(path)
    }
}
