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
        do { try FileSystem.makeDirectories(path) } catch { throw Self.error(error.call, error.path ?? path, code: error.errno) }
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

    static func listDirectory(_ path: String) -> [String] { (try? FileSystem.list(path)) ?? [] }

    static func now() -> Double { ChildProcess.monotonicSeconds() }

    static func sleep(seconds: Double) { usleep(useconds_t(max(0, seconds) * 1_000_000)) }

    /// An exclusive flock(2) on `path`, held until `release` (or the process ends).
    static func lock(_ path: String) throws(DriverError) -> Int32 {
        do { return try FileLock.acquire(path) } catch { throw Self.error(error.call, error.path ?? path, code: error.errno) }
    }

    static func release(_ fd: Int32) { close(fd) }

    /// Runs a program to completion, bounded by `timeoutSeconds` (then SIGKILL); returns its exit
    /// status (128+signal when killed) with stdout and stderr kept apart.
    static func run(_ executable: String, _ arguments: [String], timeoutSeconds: Double) throws(DriverError)
        -> (status: Int32, stdout: String, stderr: String) {
        let outcome: ChildProcess.Outcome
        do {
            outcome = try ChildProcess.run(executable, arguments: arguments, timeoutSeconds: timeoutSeconds)
        } catch {
            throw Self.error(error.call, error.path ?? executable, code: error.errno)
        }
        if case .timedOut = outcome.termination {
            throw .io("\(executable) did not finish within \(Int(timeoutSeconds)) s and was killed")
        }
        return (outcome.termination.shellStatus, String(decoding: outcome.stdout, as: UTF8.self),
                String(decoding: outcome.stderr, as: UTF8.self))
    }
}

import Foundation
