import Glibc
import PaddockPluginKit
import PaddockPosix

/// The local file calls the driver needs (mount points, logs, /proc), errors naming call and errno.
enum Files {
    static func failure(_ call: String, _ path: String, code: Int32 = errno) -> DriverError {
        .io("\(call)(\(path)) failed: \(String(cString: strerror(code))) (errno \(code))")
    }

    static func read(_ path: String) -> String? {
        (try? FileSystem.read(path)).map { String(decoding: $0, as: UTF8.self) }
    }

    static func makeDirectories(_ path: String) throws(DriverError) {
        do { try FileSystem.makeDirectories(path) } catch { throw failure(error.call, error.path ?? path, code: error.errno) }
    }

    static func isExecutable(_ path: String) -> Bool { access(path, X_OK) == 0 }

    static func realPath(_ path: String) -> String? { try? FileSystem.realPath(path) }

    static func directory(of path: String) -> String { AtomicFile.parentDirectoryPath(of: path) }
}
