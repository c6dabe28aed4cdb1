import Glibc

/// Children whose stdout and stderr go to a file instead of a pipe: programs that daemonize or
/// leave a daemon behind, which would hold a pipe open long after they answered. stdin is
/// /dev/null, nothing of ours beyond 0–2 is inherited, every signal has its default action and
/// none is blocked (the host may ignore SIGPIPE or block signals; a daemon must not inherit that).
extension ChildProcess {
    /// The output file and how it is opened.
    public struct OutputFile: Sendable {
        public var path: String
        public var append: Bool
        public var mode: mode_t

        public init(_ path: String, append: Bool = false, mode: mode_t = 0o600) {
            self.path = path
            self.append = append
            self.mode = mode
        }
    }

    /// Starts `executable` and returns its pid without waiting. `environment` is added to (and
    /// overrides) this process's environment.
    public static func spawn(
        _ executable: String, arguments: [String], environment: [String: String] = [:],
        output: OutputFile, grouping: Grouping
    ) throws(SystemError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let truncateOrAppend = output.append ? O_APPEND : O_TRUNC
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | truncateOrAppend, output.mode)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        closeFrom(3, in: &actions)

        let (result, pid) = posixSpawn(executable, arguments: arguments, environment: currentEnvironment().merging(environment) { $1 },
                                       actions: &actions, grouping: grouping, defaultSignals: catchableSignals())
        guard result == 0 else { throw SystemError("posix_spawn", errno: result, path: executable) }
        return pid
    }

    /// Waits for a child of ours; after `timeoutSeconds` it is killed (itself, not its group: a
    /// daemon it started lives on) and reaped. Throws ECHILD when someone else reaped it.
    public static func wait(_ pid: pid_t, timeoutSeconds: Double) throws(SystemError) -> Termination {
        let deadline = monotonicSeconds() + timeoutSeconds
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result < 0 {
                if errno == EINTR { continue }
                throw SystemError("waitpid", path: "pid \(pid)")
            }
            if monotonicSeconds() >= deadline {
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                return .timedOut(seconds: timeoutSeconds)
            }
            usleep(5_000)
        }
        return (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
    }

    /// Runs a program to completion (see `spawn` and `wait`); `Outcome.stdout` is what the output
    /// file holds afterwards, stdout and stderr interleaved.
    public static func run(
        _ executable: String, arguments: [String], output: OutputFile, grouping: Grouping,
        timeoutSeconds: Double
    ) throws(SystemError) -> Outcome {
        let pid = try spawn(executable, arguments: arguments, output: output, grouping: grouping)
        let termination = try wait(pid, timeoutSeconds: timeoutSeconds)
        return Outcome(termination: termination, stdout: (try? FileSystem.read(output.path)) ?? [])
    }
}
