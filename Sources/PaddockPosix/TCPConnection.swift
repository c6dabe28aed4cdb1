import Glibc

/// A TCP client connection with deadlines on connect, send and receive (poll-based). The thin
/// layer under the etcd client; errors carry the call and errno (ETIMEDOUT for a deadline).
public final class TCPConnection: @unchecked Sendable {
    public let descriptor: Int32
    private var closed = false

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close() }

    public func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(descriptor)
    }

    /// Ends both directions so a reader blocked in `receive` on another thread returns EOF.
    public func shutdownBoth() { _ = Glibc.shutdown(descriptor, Int32(SHUT_RDWR)) }

    /// Resolves `host` (name or address) and connects to the first address that answers.
    public static func connect(host: String, port: UInt16, timeoutSeconds: Double) throws(SystemError) -> TCPConnection {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw SystemError("getaddrinfo", errno: status == EAI_SYSTEM ? errno : EHOSTUNREACH, path: host)
        }
        defer { freeaddrinfo(list) }
        var failure = SystemError("connect", errno: EHOSTUNREACH, path: "\(host):\(port)")
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            entry = current.pointee.ai_next
            let fd = socket(current.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else {
                failure = SystemError("socket", path: "\(host):\(port)")
                continue
            }
            let connection = TCPConnection(descriptor: fd)
            if Glibc.connect(fd, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 { return connection }
            guard errno == EINPROGRESS else {
                failure = SystemError("connect", path: "\(host):\(port)")
                continue
            }
            do {
                try connection.wait(for: Int16(POLLOUT), until: ChildProcess.monotonicSeconds() + timeoutSeconds, call: "connect")
            } catch {
                failure = SystemError(error.call, errno: error.errno, path: "\(host):\(port)")
                continue
            }
            var code: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
            if code == 0 { return connection }
            failure = SystemError("connect", errno: code, path: "\(host):\(port)")
        }
        throw failure
    }

    /// Sends every byte before the deadline.
    public func send(_ bytes: [UInt8], deadline: Double) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            try wait(for: Int16(POLLOUT), until: deadline, call: "send")
            let sent = bytes.withUnsafeBytes { raw in
                Glibc.send(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw SystemError("send")
            }
            offset += sent
        }
    }

    /// Up to `maximum` bytes once some arrive before the deadline; empty at end of stream.
    public func receive(maximum: Int = 65536, deadline: Double) throws(SystemError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            try wait(for: Int16(POLLIN), until: deadline, call: "recv")
            let count = buffer.withUnsafeMutableBytes { Glibc.recv(descriptor, $0.baseAddress, maximum, 0) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw SystemError("recv")
            }
            return Array(buffer.prefix(count))
        }
    }

    private func wait(for events: Int16, until deadline: Double, call: String) throws(SystemError) {
        while true {
            let remaining = deadline - ChildProcess.monotonicSeconds()
            guard remaining > 0 else { throw SystemError(call, errno: ETIMEDOUT) }
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&entry, 1, Int32(min(remaining * 1000, 60_000).rounded(.up)))
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw SystemError("poll") }
        }
    }
}
