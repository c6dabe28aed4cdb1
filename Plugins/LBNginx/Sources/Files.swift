import Glibc
import PaddockPosix

/// The few file operations the driver needs, over libc (the SDK keeps plugins free of Foundation).
/// Errors name the path and errno.
enum Files {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func failure(_ call: String, _ path: String, code: Int32 = errno) -> Failure {
        Failure(description: "\(call) \(path): \(String(cString: strerror(code)))")
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isExecutable(_ path: String) -> Bool { access(path, X_OK) == 0 }

    /// A PaddockPosix failure in the words above.
    static func failure(_ error: SystemError, about what: String) -> Failure {
        failure(error.call, error.path ?? what, code: error.errno)
    }

    static func read(_ path: String) throws(Failure) -> [UInt8] {
        do { return try FileSystem.read(path) } catch { throw failure(error, about: path) }
    }

    static func readText(_ path: String) -> String? {
        (try? read(path)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The last `limit` bytes of a file (logs can be large), starting at a line boundary.
    static func tail(_ path: String, limit: Int) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return "" }
        let start = max(0, Int(size) - limit)
        var buffer = [UInt8](repeating: 0, count: Int(size) - start)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(start)) }
        guard count > 0 else { return "" }
        var text = String(decoding: buffer[0..<count], as: UTF8.self)
        if start > 0, let newline = text.firstIndex(of: "\n") { text = String(text[text.index(after: newline)...]) }
        return text
    }

    static func size(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    /// Bytes of a file from `offset` on (to read what a log gained since then).
    static func read(_ path: String, from offset: Int) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var result: [UInt8] = []
        var position = off_t(offset)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, position) }
            if count <= 0 { break }
            result += buffer[0..<count]
            position += off_t(count)
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// Writes through a temporary file and a rename, so readers (and nginx on reload) see the old
    /// or the new file, never half of one.
    static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws(Failure) {
        do { try AtomicFile.write(bytes, to: path, mode: mode) } catch { throw failure(error, about: path) }
    }

    static func writeAtomically(_ path: String, _ text: String, mode: mode_t = 0o644) throws(Failure) {
        try writeAtomically(path, Array(text.utf8), mode: mode)
    }

    static func rename(_ from: String, _ to: String) throws(Failure) {
        guard Glibc.rename(from, to) == 0 else { throw failure("rename", "\(from) -> \(to)") }
    }

    static func remove(_ path: String) { unlink(path) }

    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(Failure) {
        do { try FileSystem.makeDirectories(path, mode: mode) } catch { throw failure(error, about: path) }
    }

    static func listDirectory(_ path: String) -> [String] { (try? FileSystem.list(path)) ?? [] }

    static func removeTree(_ path: String) { FileSystem.removeTree(path) }

    /// An exclusive flock held until `release`: serializes applies of one balancer across the
    /// `paddock` processes that may run at once.
    final class Lock {
        private let fd: Int32

        init(_ path: String) throws(Failure) {
            do { fd = try FileLock.acquire(path) } catch { throw Files.failure(error, about: path) }
        }

        deinit { close(fd) }
    }
}

/// A short pause (polling loops).
func sleepMilliseconds(_ milliseconds: Int) {
    var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}

func monotonicSeconds() -> Double { ChildProcess.monotonicSeconds() }
