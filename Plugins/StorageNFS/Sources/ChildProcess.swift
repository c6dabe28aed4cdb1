import Glibc
import PaddockPluginKit

/// Runs a program to completion with a bound on its run time: the mount helper (which returns
/// once its mount is in place) and mount(8). The child gets no descriptor of ours beyond 0–2 and
/// default signal handling, so a daemon it leaves behind holds nothing of the host's.
enum ChildProcess {
    struct Outcome {
        /// The exit code, or nil when killed by a signal or at the timeout.
        var code: Int32?
        var timedOut: Bool
        var output: String
    }

    static func run(_ executable: String, _ arguments: [String], outputFile: String, timeoutSeconds: Double) throws(DriverError) -> Outcome {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        markOurDescriptorsCloseOnExec()

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw .io("posix_spawn(\(executable)) failed: \(String(cString: strerror(result))) (errno \(result))")
        }
        let (code, timedOut) = wait(pid, timeoutSeconds: timeoutSeconds)
        return Outcome(code: code, timedOut: timedOut, output: Files.read(outputFile) ?? "")
    }

    private static func wait(_ pid: pid_t, timeoutSeconds: Double) -> (Int32?, Bool) {
        let deadline = Clock.seconds() + timeoutSeconds
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result < 0 {
                if errno == EINTR { continue }
                return (nil, false)
            }
            if Clock.seconds() >= deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                return (nil, true)
            }
            usleep(5_000)
        }
        return ((status & 0x7f) == 0 ? (status >> 8) & 0xff : nil, false)
    }

    private static func markOurDescriptorsCloseOnExec() {
        guard let directory = opendir("/proc/self/fd") else { return }
        defer { closedir(directory) }
        let own = dirfd(directory)
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if let fd = Int32(name), fd > 2, fd != own { _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC) }
        }
    }
}

enum Clock {
    static func seconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    static func epochSeconds() -> Int { Int(time(nil)) }
}
