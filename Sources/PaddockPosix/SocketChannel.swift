import Glibc

/// A connected stream socket carrying length-prefixed frames (u32 big-endian length, then bytes).
/// Used between the host and an out-of-process plugin worker.
public final class SocketChannel: @unchecked Sendable {
    public let descriptor: Int32
    private var closed = false

    public init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close() }

    public func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(descriptor)
    }

    /// A socketpair; the second end is meant for a child (not close-on-exec).
    public static func pair() throws(SystemError) -> (parent: SocketChannel, child: Int32) {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw SystemError("socketpair")
        }
        return (SocketChannel(descriptor: fds[0]), fds[1])
    }

    public static let maxFrame = 64 << 20

    public func send(_ payload: [UInt8]) throws(SystemError) {
        let length = UInt32(payload.count)
        let header: [UInt8] = [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
        try writeAll(header + payload)
    }

    /// The next frame, or nil at end of stream (the peer closed or died). `timeoutSeconds` bounds
    /// the wait for the frame's first byte; nil waits forever.
    public func receive(timeoutSeconds: Double? = nil) throws(SystemError) -> [UInt8]? {
        if let timeoutSeconds {
            var pfd = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            while true {
                let ready = poll(&pfd, 1, Int32(max(0, timeoutSeconds * 1000)))
                if ready > 0 { break }
                if ready == 0 { throw SystemError("poll", errno: ETIMEDOUT) }
                if errno != EINTR { throw SystemError("poll") }
            }
        }
        guard let header = try readExactly(4) else { return nil }
        let length = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        guard length <= Self.maxFrame else { throw SystemError("recv", errno: EMSGSIZE) }
        if length == 0 { return [] }
        guard let payload = try readExactly(length) else { return nil }
        return payload
    }

    private func writeAll(_ bytes: [UInt8]) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError("send")
            }
            offset += count
        }
    }

    private func readExactly(_ count: Int) throws(SystemError) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let got = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + offset, count - offset, 0) }
            if got == 0 { return nil }
            if got < 0 {
                if errno == EINTR { continue }
                if errno == ECONNRESET { return nil }
                throw SystemError("recv")
            }
            offset += got
        }
        return buffer
    }
}

/// A long-running child process that talks to its parent over a socket on descriptor 3.
public final class WorkerProcess: @unchecked Sendable {
    public let pid: pid_t
    public let channel: SocketChannel
    public static let socketDescriptor: Int32 = 3

    private init(pid: pid_t, channel: SocketChannel) {
        self.pid = pid
        self.channel = channel
    }

    public static func spawn(_ executable: String, arguments: [String], environment: [String: String]) throws(SystemError) -> WorkerProcess {
        let (parent, child) = try SocketChannel.pair()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, child, socketDescriptor)
        let (result, pid) = ChildProcess.posixSpawn(executable, arguments: arguments, environment: environment, actions: &actions,
                                                    grouping: .inherited, defaultSignals: ChildProcess.signalSet([]))
        Glibc.close(child)
        guard result == 0 else { throw SystemError("posix_spawn", errno: result, path: executable) }
        return WorkerProcess(pid: pid, channel: parent)
    }

    /// Waits for the worker to end and says how (after its channel reported end of stream).
    public func reap(graceSeconds: Double = 2) -> ChildProcess.Termination {
        let deadline = ChildProcess.monotonicSeconds() + graceSeconds
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result < 0 && errno != EINTR { return .exited(-1) }
            if ChildProcess.monotonicSeconds() >= deadline {
                Glibc.kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                return .timedOut(seconds: graceSeconds)
            }
            usleep(1000)
        }
        return (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
    }

    public func kill() { Glibc.kill(pid, SIGKILL) }
}
