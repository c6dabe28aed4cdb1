import Glibc

/// Child processes and signals over libc: spawning nginx with a clean descriptor table and signal
/// state, bounded waits, and what /proc says about a pid.
enum ProcessControl {
    struct Exit {
        /// The exit code, or nil when the process was killed by a signal or timed out.
        var code: Int32?
        var timedOut: Bool
    }

    /// Starts `executable` with stdin from /dev/null and stdout+stderr into `outputFile`, in its own
    /// process group (a daemon it forks must not die with its caller's group), with no descriptor
    /// of ours beyond 0-2 (the host may hold sockets that must not leak into nginx).
    static func spawn(_ executable: String, _ arguments: [String], outputFile: String) throws(Files.Failure) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        closeFrom3(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2, SIGWINCH, SIGALRM] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else {
            errno = result
            throw Files.failure("posix_spawn", executable)
        }
        return pid
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    /// glibc ≥ 2.34's posix_spawn_file_actions_addclosefrom_np, which Swift's Glibc module does not
    /// import. Without it (older glibc), our descriptors are marked close-on-exec instead.
    private static func closeFrom3(_ actions: inout posix_spawn_file_actions_t) {
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
            if closeFrom(&actions, 3) == 0 { return }
        }
        for name in Files.listDirectory("/proc/self/fd") {
            if let fd = Int32(name), fd > 2 { _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC) }
        }
    }

    /// Waits for a child we spawned, killing it after `timeout` seconds.
    static func wait(_ pid: pid_t, timeout: Double) -> Exit {
        let deadline = monotonicSeconds() + timeout
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result < 0 {
                if errno == EINTR { continue }
                // ECHILD: someone (a SIGCHLD set to SIG_IGN) reaped it; its status is lost.
                return Exit(code: nil, timedOut: false)
            }
            if monotonicSeconds() >= deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                return Exit(code: nil, timedOut: true)
            }
            sleepMilliseconds(5)
        }
        let signaled = (status & 0x7f) != 0
        return Exit(code: signaled ? nil : (status >> 8) & 0xff, timedOut: false)
    }

    /// Runs a program to completion; returns its exit and what it printed.
    static func run(_ executable: String, _ arguments: [String], outputFile: String,
                    timeout: Double) throws(Files.Failure) -> (exit: Exit, output: String) {
        let pid = try spawn(executable, arguments, outputFile: outputFile)
        let exit = wait(pid, timeout: timeout)
        let output = Files.readText(outputFile) ?? ""
        return (exit, output)
    }

    /// Alive and not a zombie (an orphan's zombie lingers when pid 1 does not reap).
    static func isAlive(_ pid: pid_t) -> Bool {
        guard pid > 0, let stat = Files.readText("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.first.map { $0 != "Z" && $0 != "X" } ?? false
    }

    static func parent(of pid: pid_t) -> pid_t? {
        guard let stat = Files.readText("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? pid_t(fields[1]) : nil
    }

    /// The process title, NUL-separated arguments joined by spaces (nginx rewrites its own).
    static func commandLine(_ pid: pid_t) -> String {
        guard let bytes = try? Files.read("/proc/\(pid)/cmdline") else { return "" }
        return String(decoding: bytes.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    }

    static func executable(_ pid: pid_t) -> String? { realPath("/proc/\(pid)/exe") }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func children(of pid: pid_t) -> [pid_t] {
        Files.listDirectory("/proc").compactMap { pid_t($0) }.filter { parent(of: $0) == pid && isAlive($0) }
    }

    /// Polls `condition` every 10 ms until it holds or `timeout` seconds pass.
    @discardableResult
    static func poll(timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = monotonicSeconds() + timeout
        while true {
            if condition() { return true }
            if monotonicSeconds() >= deadline { return false }
            sleepMilliseconds(10)
        }
    }
}
