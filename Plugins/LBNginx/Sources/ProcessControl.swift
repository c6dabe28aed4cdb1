import Glibc
import PaddockPosix

/// Child processes and signals over libc: spawning nginx with a clean descriptor table and signal
/// state, bounded waits, and what /proc says about a pid.
enum ProcessControl {
    struct Exit {
        /// The exit code, or nil when the process was killed by a signal or timed out.
        var code: Int32?
        var timedOut: Bool
    }

    /// Runs a program to completion, killed after `timeout` seconds; returns its exit and what it
    /// printed. Its output goes to `outputFile` (nginx daemonizes; its master must not hold a pipe
    /// of ours) and it runs in its own process group (that daemon must not die with its caller's
    /// group), with stdin from /dev/null and no descriptor of ours beyond 0-2.
    static func run(_ executable: String, _ arguments: [String], outputFile: String,
                    timeout: Double) throws(Files.Failure) -> (exit: Exit, output: String) {
        let pid: pid_t
        do {
            pid = try ChildProcess.spawn(executable, arguments: arguments, output: .init(outputFile), grouping: .ownGroup)
        } catch {
            throw Files.failure(error.call, error.path ?? executable, code: error.errno)
        }
        let exit: Exit
        switch try? ChildProcess.wait(pid, timeoutSeconds: timeout) {
        case .exited(let code): exit = Exit(code: code, timedOut: false)
        case .timedOut: exit = Exit(code: nil, timedOut: true)
        // ECHILD: someone (a SIGCHLD set to SIG_IGN) reaped it; its status is lost.
        case .signaled, nil: exit = Exit(code: nil, timedOut: false)
        }
        return (exit, Files.readText(outputFile) ?? "")
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
