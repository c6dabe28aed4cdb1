import Glibc
import PaddockPluginKit
import PaddockPosix

/// The system calls the EBS driver makes (mount, umount, stat, flock, processes): one wrapper
/// each, every failure a DriverError naming the call, its argument and errno.
enum System {
    static func error(_ call: String, _ what: String, code: Int32 = errno) -> DriverError {
        .io("\(call)(\(what)) failed: \(String(cString: strerror(code))) (errno \(code))")
    }

    static func isBlockDevice(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFBLK
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func makeDirectories(_ path: String) throws(DriverError) {
        var current = ""
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST { throw error("mkdir", current) }
        }
    }

    /// mount(2) of an ext4 filesystem.
    static func mountExt4(_ device: String, at target: String) throws(DriverError) {
        guard mount(device, target, "ext4", 0, nil) == 0 else { throw error("mount", "\(device) on \(target)") }
    }

    enum UnmountResult { case unmounted, notMounted, busy }

    /// umount2(2); EINVAL (not a mount point) and ENOENT count as already unmounted.
    static func unmount(_ target: String) throws(DriverError) -> UnmountResult {
        if umount2(target, 0) == 0 { return .unmounted }
        switch errno {
        case EINVAL, ENOENT: return .notMounted
        case EBUSY: return .busy
        default: throw error("umount2", target)
        }
    }

    /// True when `target` is a mount point now (its entry in /proc/self/mountinfo).
    static func isMountPoint(_ target: String) -> Bool {
        guard let text = readFile("/proc/self/mountinfo") else { return false }
        return text.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 4 && unescapeMountinfo(String(fields[4])) == target
        }
    }

    private static func unescapeMountinfo(_ text: String) -> String {
        text.replacingOccurrences(of: "\\040", with: " ").replacingOccurrences(of: "\\011", with: "\t")
            .replacingOccurrences(of: "\\012", with: "\n").replacingOccurrences(of: "\\134", with: "\\")
    }

    static func readFile(_ path: String) -> String? {
        (try? FileSystem.read(path)).map { String(decoding: $0, as: UTF8.self) }
    }

    static func listDirectory(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func sleep(seconds: Double) { usleep(useconds_t(max(0, seconds) * 1_000_000)) }

    /// An exclusive flock(2) on `path`, held until `release` (or the process ends).
    static func lock(_ path: String) throws(DriverError) -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw error("open", path) }
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let code = errno
            close(fd)
            throw error("flock", path, code: code)
        }
        return fd
    }

    static func release(_ fd: Int32) { close(fd) }

    /// Runs a program to completion, bounded by `timeoutSeconds` (then SIGKILL); returns its exit
    /// status (128+signal when killed) with stdout and stderr kept apart.
    static func run(_ executable: String, _ arguments: [String], timeoutSeconds: Double) throws(DriverError)
        -> (status: Int32, stdout: String, stderr: String) {
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        guard pipe(&out) == 0 else { throw error("pipe", executable) }
        guard pipe(&err) == 0 else {
            close(out[0]); close(out[1])
            throw error("pipe", executable)
        }
        // Close-on-exec, so a child the program leaves behind does not hold our pipes open
        // (the dup2'd 1 and 2 stay open in the program itself).
        for fd in out + err { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        close(out[1]); close(err[1])
        guard spawned == 0 else {
            close(out[0]); close(err[0])
            throw error("posix_spawn", executable, code: spawned)
        }
        var collected: [[UInt8]] = [[], []]
        var reading = [true, true]
        let fds = [out[0], err[0]]
        let deadline = now() + timeoutSeconds
        var killed = false
        var buffer = [UInt8](repeating: 0, count: 8192)
        while reading[0] || reading[1] {
            let left = deadline - now()
            if left <= 0 { kill(pid, SIGKILL); killed = true; break }
            var polls = (0..<2).map { pollfd(fd: reading[$0] ? fds[$0] : -1, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&polls, 2, Int32(min(left, 1) * 1000))
            if ready < 0 && errno != EINTR { break }
            for index in 0..<2 where reading[index] && polls[index].revents != 0 {
                let count = read(fds[index], &buffer, buffer.count)
                if count <= 0 { reading[index] = false } else { collected[index] += buffer[0..<count] }
            }
        }
        close(out[0]); close(err[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        if killed {
            throw .io("\(executable) did not finish within \(Int(timeoutSeconds)) s and was killed")
        }
        return (code, String(decoding: collected[0], as: UTF8.self), String(decoding: collected[1], as: UTF8.self))
    }
}

import Foundation
