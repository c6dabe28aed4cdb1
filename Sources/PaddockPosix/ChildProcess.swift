import Glibc

/// Runs a program to completion with a deadline, capturing stdout and stderr. The child gets its
/// own process group so that a timeout kills it and anything it started.
public enum ChildProcess {
    public enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
        case timedOut(seconds: Double)

        /// The status as a shell reports it: the exit code, 128 + the signal, and 128 + SIGKILL
        /// for a child killed at its timeout.
        public var shellStatus: Int32 {
            switch self {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            case .timedOut: 128 + SIGKILL
            }
        }
    }

    public struct Outcome: Sendable {
        public var termination: Termination
        public var stdout: [UInt8]
        public var stderr: [UInt8]

        public init(termination: Termination, stdout: [UInt8], stderr: [UInt8] = []) {
            self.termination = termination
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    /// Where the child's stdout and stderr go.
    public enum Output: Sendable {
        /// Two pipes: `Outcome.stdout` and `Outcome.stderr`.
        case separate
        /// One pipe for both, interleaved as the child wrote them, all in `Outcome.stdout`
        /// (what a person running the command would have seen).
        case combined
    }

    public static func run(
        _ executable: String, arguments: [String], environment: [String: String]? = nil,
        stdin: [UInt8] = [], output: Output = .separate, timeoutSeconds: Double
    ) throws(SystemError) -> Outcome {
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1], inPipe: [Int32] = [-1, -1]
        for index in 0..<3 {
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { throw SystemError("pipe") }
            // Not inherited by other children spawned concurrently; dup2 clears it for ours.
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
            switch index {
            case 0: outPipe = fds
            case 1: errPipe = fds
            default: inPipe = fds
            }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, output == .combined ? outPipe[1] : errPipe[1], 2)
        // Nothing else crosses: a descriptor some other part of this process leaked without
        // CLOEXEC would otherwise land in the child (wrk, for one, refuses sockets whose number
        // exceeds its event-loop size and counts them as connect errors).
        ChildProcess.closeFrom(3, in: &actions)

        let (spawnResult, pid) = posixSpawn(executable, arguments: arguments, environment: environment ?? currentEnvironment(),
                                            actions: &actions, grouping: .ownGroup, defaultSignals: signalSet([SIGPIPE, SIGTERM]))
        close(outPipe[1]); close(errPipe[1]); close(inPipe[0])
        guard spawnResult == 0 else {
            close(outPipe[0]); close(errPipe[0]); close(inPipe[1])
            throw SystemError("posix_spawn", errno: spawnResult, path: executable)
        }
        if !stdin.isEmpty {
            // Small payloads only (the pipe buffer); the child reads them before answering.
            signal(SIGPIPE, SIG_IGN)
            _ = stdin.withUnsafeBytes { write(inPipe[1], $0.baseAddress, $0.count) }
        }
        close(inPipe[1])

        var stdout: [UInt8] = [], stderr: [UInt8] = []
        let deadline = monotonicSeconds() + timeoutSeconds
        var open = [outPipe[0], errPipe[0]]
        var timedOut = false
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty {
            let remaining = deadline - monotonicSeconds()
            if remaining <= 0 { timedOut = true; break }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining * 1000, 1000)) + 1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for entry in fds where entry.revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    if entry.fd == outPipe[0] { stdout += buffer[0..<count] } else { stderr += buffer[0..<count] }
                } else if count == 0 || errno != EINTR {
                    close(entry.fd)
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        open.forEach { close($0) }
        if timedOut { kill(-pid, SIGKILL); kill(pid, SIGKILL) }
        var status: Int32 = 0
        // After the pipes closed the child may still be running (it closed stdout): bound the wait.
        while true {
            let result = waitpid(pid, &status, timedOut ? 0 : WNOHANG)
            if result == pid { break }
            if result < 0 && errno != EINTR { throw SystemError("waitpid") }
            if result == 0 {
                if monotonicSeconds() >= deadline {
                    timedOut = true
                    kill(-pid, SIGKILL); kill(pid, SIGKILL)
                } else {
                    usleep(2000)
                }
            }
        }
        // Anything the child's group left behind goes too.
        kill(-pid, SIGKILL)
        if timedOut { return Outcome(termination: .timedOut(seconds: timeoutSeconds), stdout: stdout, stderr: stderr) }
        let termination: Termination = (status & 0x7f) == 0
            ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
        return Outcome(termination: termination, stdout: stdout, stderr: stderr)
    }

    public static func currentEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }

    public static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    public static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGSEGV: "SIGSEGV"
        case SIGABRT: "SIGABRT"
        case SIGBUS: "SIGBUS"
        case SIGILL: "SIGILL"
        case SIGFPE: "SIGFPE"
        case SIGKILL: "SIGKILL"
        case SIGTERM: "SIGTERM"
        case SIGTRAP: "SIGTRAP"
        default: "signal \(signal)"
        }
    }

    /// The path of the running executable (for re-executing `paddock` as a probe child).
    public static func currentExecutable() -> String {
        (try? FileSystem.realPath("/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

extension ChildProcess {
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    /// glibc ≥ 2.34's `posix_spawn_file_actions_addclosefrom_np`, which Swift's Glibc module does
    /// not export; looked up once. Where libc lacks it, children inherit what is not CLOEXEC.
    private nonisolated(unsafe) static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    static func closeFrom(_ lowest: Int32, in actions: inout posix_spawn_file_actions_t) {
        _ = addCloseFrom?(&actions, lowest)
    }
}
