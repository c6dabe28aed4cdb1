import Glibc

/// A listening AF_UNIX stream socket at a path (what Docker's plugin client connects to).
public final class UnixSocketListener: @unchecked Sendable {
    public let path: String
    public let descriptor: Int32
    private var closed = false

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Binds and listens at `path` with the given mode. A socket file left by a dead server is
    /// replaced; one that still accepts connections is EADDRINUSE (another server owns it).
    public static func bind(path: String, mode: mode_t, backlog: Int32 = 128) throws(SystemError) -> UnixSocketListener {
        guard path.utf8.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path) else {
            throw SystemError("bind", errno: ENAMETOOLONG, path: path)
        }
        if FileSystem.exists(path) {
            if let probe = try? StreamConnection.connect(path: path) {
                probe.close()
                throw SystemError("bind", errno: EADDRINUSE, path: path)
            }
            guard (try? FileSystem.linkStatus(path))?.kind == .other else {
                throw SystemError("bind", errno: EEXIST, path: path)
            }
            unlink(path)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        var address = try socketAddress(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            let error = SystemError("bind", path: path)
            Glibc.close(fd)
            throw error
        }
        guard chmod(path, mode) == 0 else {
            let error = SystemError("chmod", path: path)
            Glibc.close(fd)
            unlink(path)
            throw error
        }
        guard listen(fd, backlog) == 0 else {
            let error = SystemError("listen", path: path)
            Glibc.close(fd)
            unlink(path)
            throw error
        }
        return UnixSocketListener(path: path, descriptor: fd)
    }

    /// The next connection; nil when `timeoutSeconds` passed or `wakeDescriptor` became readable.
    public func accept(timeoutSeconds: Double, wakeDescriptor: Int32 = -1) throws(SystemError) -> StreamConnection? {
        var fds = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        let count = nfds_t(wakeDescriptor >= 0 ? 2 : 1)
        let ready = poll(&fds, count, Int32(timeoutSeconds * 1000))
        if ready < 0 {
            if errno == EINTR { return nil }
            throw SystemError("poll", path: path)
        }
        if ready == 0 || fds[0].revents & Int16(POLLIN) == 0 { return nil }
        let client = Glibc.accept(descriptor, nil, nil)
        if client < 0 {
            if errno == EINTR || errno == EAGAIN || errno == ECONNABORTED { return nil }
            throw SystemError("accept", path: path)
        }
        // accept4 is not in Swift's Glibc module; a child spawned in between could inherit it.
        _ = fcntl(client, F_SETFD, FD_CLOEXEC)
        return StreamConnection(descriptor: client)
    }

    /// Stops listening and removes the socket file.
    public func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(descriptor)
        unlink(path)
    }

    static func socketAddress(_ path: String) throws(SystemError) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { throw SystemError("connect", errno: ENAMETOOLONG, path: path) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }
}
