import Glibc

/// One connected stream socket: reads with a deadline, writes everything or fails.
public final class StreamConnection: @unchecked Sendable {
    public let descriptor: Int32
    private var closed = false

    public init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close() }

    public static func connect(path: String) throws(SystemError) -> StreamConnection {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        var address = try UnixSocketListener.socketAddress(path)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let error = SystemError("connect", path: path)
            Glibc.close(fd)
            throw error
        }
        return StreamConnection(descriptor: fd)
    }

    /// Up to `maximum` bytes; [] at end of stream; ETIMEDOUT when nothing came within the timeout.
    public func read(maximum: Int = 65536, timeoutSeconds: Double) throws(SystemError) -> [UInt8] {
        var pfd = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&pfd, 1, Int32(timeoutSeconds * 1000))
            if ready > 0 { break }
            if ready == 0 { throw SystemError("poll", errno: ETIMEDOUT) }
            if errno != EINTR { throw SystemError("poll") }
        }
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, maximum, 0) }
            if count >= 0 { return Array(buffer[0..<count]) }
            if errno == EINTR { continue }
            if errno == ECONNRESET { return [] }
            throw SystemError("recv")
        }
    }

    public func write(_ bytes: [UInt8]) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError("send")
            }
            offset += count
        }
    }

    public func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(descriptor)
    }
}
