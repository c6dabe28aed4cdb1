import Glibc
import PaddockPluginKit
import PaddockPosix

/// The driver's thin layer over libc: processes, files, randomness. Failures are DriverErrors that
/// name the call, its object and errno.
enum System {
    static func error(_ call: String, _ what: String, code: Int32 = errno) -> DriverError {
        .io("\(call)(\(what)) failed: \(String(cString: strerror(code))) (errno \(code))")
    }

    struct Outcome {
        var status: Int32
        var output: String
        var succeeded: Bool { status == 0 }
    }

    /// Runs a program to completion (killed after `timeoutSeconds`), stdout and stderr combined.
    static func run(_ executable: String, _ arguments: [String], timeoutSeconds: Double = 30) throws(DriverError) -> Outcome {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw error("pipe", executable) }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        close(fds[1])
        guard spawned == 0 else {
            close(fds[0])
            throw error("posix_spawn", executable, code: spawned)
        }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        let deadline = now() + timeoutSeconds
        var timedOut = false
        while true {
            let left = deadline - now()
            if left <= 0 { kill(pid, SIGKILL); timedOut = true; break }
            var pfd = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, Int32(min(left, 1) * 1000)) <= 0 { continue }
            let count = read(fds[0], &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            output += buffer[0..<count]
        }
        close(fds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        var text = String(decoding: output, as: UTF8.self)
        if timedOut { text += "\n(killed after \(timeoutSeconds) s)" }
        return Outcome(status: code, output: text)
    }

    /// glibc's POSIX_SPAWN_SETSID (2.26+), which the Swift Glibc module does not import.
    static let posixSpawnSetSID: Int32 = 0x80

    /// Starts a long-running program in a session of its own with output appended to `logPath`
    /// (no pipe is held), and returns its pid without waiting.
    static func spawnDaemon(_ executable: String, _ arguments: [String], logPath: String,
                            environment: [String: String] = [:]) throws(DriverError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else is inherited: a daemon holding its parent's pipes or sockets keeps them
        // open (Foundation's Process, for one, then never sees the parent exit).
        closeInheritedDescriptors(&actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A daemon of its own: new session, default signal handling, nothing blocked (the host
        // process may ignore SIGPIPE or block signals; charon must not inherit that).
        posix_spawnattr_setflags(&attributes, Int16(posixSpawnSetSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
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
        var env: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") { env[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
            cursor += 1
        }
        for (key, value) in environment { env[key] = value }
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw error("posix_spawn", executable, code: spawned) }
        return pid
    }

    /// glibc's posix_spawn_file_actions_addclosefrom_np (2.34+), found at run time because the
    /// Swift Glibc module does not import it; older libcs get one close action per open fd.
    static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
            return
        }
        guard let directory = opendir("/proc/self/fd") else { return }
        defer { closedir(directory) }
        let own = dirfd(directory)
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if let fd = Int32(name), fd > 2, fd != own { posix_spawn_file_actions_addclose(&actions, fd) }
        }
    }

    /// Whether `pid` runs (a program whose command line contains `program`, when given). Reaps it
    /// first if it is our exited child, so a zombie never counts as alive.
    static func isRunning(_ pid: pid_t, program: String? = nil) -> Bool {
        guard pid > 0 else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { return false }
        guard kill(pid, 0) == 0, let stat = readFile("/proc/\(pid)/stat") else { return false }
        if let close = stat.lastIndex(of: ")"), stat[stat.index(after: close)...].trimmingPrefixSpaces().first == "Z" { return false }
        guard let program else { return true }
        let cmdline = readFile("/proc/\(pid)/cmdline") ?? ""
        return cmdline.contains(program)
    }

    static func readFile(_ path: String) -> String? {
        (try? FileSystem.read(path)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Writes a file atomically (PaddockPosix's AtomicFile: temp file, fsync, rename).
    static func writeFile(_ path: String, _ text: String, mode: mode_t = 0o600) throws(DriverError) {
        do { try AtomicFile.write(Array(text.utf8), to: path, mode: mode) } catch { throw .io("\(error)") }
    }

    static func move(_ source: String, to destination: String) throws(DriverError) {
        guard rename(source, destination) == 0 else { throw error("rename", "\(source) → \(destination)") }
    }

    static func makeDirectories(_ path: String) throws(DriverError) {
        do { try FileSystem.makeDirectories(path, mode: 0o700) } catch { throw .io("\(error)") }
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func randomBytes(_ count: Int) throws(DriverError) -> [UInt8] {
        let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw error("open", "/dev/urandom") }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, count - filled) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { throw error("read", "/dev/urandom") }
            filled += got
        }
        return bytes
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func sleep(milliseconds: Int) { usleep(useconds_t(milliseconds * 1000)) }
}

extension Substring {
    func trimmingPrefixSpaces() -> Substring { drop { $0 == " " } }
}

extension System {
    /// Holds an exclusive flock on `path` while `body` runs: several paddock processes may drive
    /// the same host's charon and bridge at once.
    static func withLock<T>(_ path: String, _ body: () throws(DriverError) -> T) throws(DriverError) -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw error("open", path) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw error("flock", path) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
