import Glibc

/// Children whose stdout and stderr go to a file instead of a pipe: programs that daemonize or
/// leave a daemon behind, which would hold a pipe open long after they answered. stdin is
/// /dev/null, nothing of ours beyond 0–2 is inherited, every signal has its default action and
/// none is blocked (the host may ignore SIGPIPE or block signals; a daemon must not inherit that).
extension ChildProcess {
    /// The process group or session the child starts in.
    public enum Grouping: Sendable {
        /// The caller's group: the child (and what it leaves behind) is a plain subprocess.
        case inherited
        /// A group of its own, so it does not take signals meant for the caller's group.
        case ownGroup
        /// A session of its own (setsid): fully detached from the caller's terminal and group.
        case ownSession
    }

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

    /// glibc's POSIX_SPAWN_SETSID (2.26+), which Swift's Glibc module does not import.
    private static let spawnSetSID: Int32 = 0x80

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

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
        switch grouping {
        case .inherited: break
        case .ownGroup: flags |= POSIX_SPAWN_SETPGROUP
        case .ownSession: flags |= spawnSetSID
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = currentEnvironment().merging(environment) { $1 }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, env)
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
