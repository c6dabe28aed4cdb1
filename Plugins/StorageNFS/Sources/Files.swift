import Glibc
import PaddockPluginKit

/// The local file calls the driver needs (mount points, logs, /proc), errors naming call and errno.
enum Files {
    static func failure(_ call: String, _ path: String, code: Int32 = errno) -> DriverError {
        .io("\(call)(\(path)) failed: \(String(cString: strerror(code))) (errno \(code))")
    }

    static func read(_ path: String) -> String? {
        guard let file = fopen(path, "re") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count == 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func makeDirectories(_ path: String) throws(DriverError) {
        var current = ""
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST { throw failure("mkdir", current) }
        }
    }

    static func isExecutable(_ path: String) -> Bool { access(path, X_OK) == 0 }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
