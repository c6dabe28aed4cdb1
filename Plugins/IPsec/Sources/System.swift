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

    /// A failed PaddockPosix call as a DriverError in the words above (`what` when it names no path).
    static func error(_ failure: SystemError, about what: String) -> DriverError {
        error(failure.call, failure.path ?? what, code: failure.errno)
    }

    /// Runs a program to completion (killed after `timeoutSeconds`), stdout and stderr combined.
    static func run(_ executable: String, _ arguments: [String], timeoutSeconds: Double = 30) throws(DriverError) -> Outcome {
        let outcome: ChildProcess.Outcome
        do {
            outcome = try ChildProcess.run(executable, arguments: arguments, output: .combined, timeoutSeconds: timeoutSeconds)
        } catch {
            throw Self.error(error, about: executable)
        }
        var text = String(decoding: outcome.stdout, as: UTF8.self)
        if case .timedOut = outcome.termination { text += "\n(killed after \(timeoutSeconds) s)" }
        return Outcome(status: outcome.termination.shellStatus, output: text)
    }

    /// Starts a long-running program in a session of its own with output appended to `logPath`
    /// (no pipe is held), and returns its pid without waiting.
    static func spawnDaemon(_ executable: String, _ arguments: [String], logPath: String,
                            environment: [String: String] = [:]) throws(DriverError) -> pid_t {
        do {
            return try ChildProcess.spawn(executable, arguments: arguments, environment: environment,
                                          output: .init(logPath, append: true, mode: 0o644), grouping: .ownSession)
        } catch {
            throw Self.error(error, about: executable)
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

    static func now() -> Double { ChildProcess.monotonicSeconds() }

    static func sleep(milliseconds: Int) { usleep(useconds_t(milliseconds * 1000)) }
}

extension Substring {
    func trimmingPrefixSpaces() -> Substring { drop { $0 == " " } }
}

extension System {
    /// Holds an exclusive flock on `path` while `body` runs: several paddock processes may drive
    /// the same host's charon and bridge at once.
    static func withLock<T>(_ path: String, _ body: () throws(DriverError) -> T) throws(DriverError) -> T {
        let fd: Int32
        do { fd = try FileLock.acquire(path) } catch { throw Self.error(error, about: path) }
        defer { close(fd) }
        return try body()
    }
}
