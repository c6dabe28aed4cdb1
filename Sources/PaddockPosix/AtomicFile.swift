import Glibc

/// Crash-safe file replacement: write a temp file in the same directory, fsync it, rename it over
/// the target, fsync the directory. A `kill -9` at any point leaves the old or the new content.
public enum AtomicFile {
    public static func write(_ bytes: some Collection<UInt8>, to path: String, mode: mode_t = 0o644) throws(SystemError) {
        let directory = parentDirectory(of: path)
        let template = "\(directory)/.\(baseName(of: path)).XXXXXX"
        var templateBytes = Array(template.utf8CString)
        let fd = templateBytes.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw SystemError("mkstemp", path: template) }
        let tempPath = String(cString: templateBytes)
        var committed = false
        defer {
            if !committed { unlink(tempPath) }
        }
        do {
            defer { close(fd) }
            let data = Array(bytes)
            var written = 0
            while written < data.count {
                let count = data.withUnsafeBytes { buffer in
                    Glibc.write(fd, buffer.baseAddress! + written, buffer.count - written)
                }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw SystemError("write", path: tempPath)
                }
                written += count
            }
            try retryingEINTR("fchmod", path: tempPath) { fchmod(fd, mode) }
            try retryingEINTR("fsync", path: tempPath) { fsync(fd) }
        }
        try retryingEINTR("rename", path: path) { rename(tempPath, path) }
        committed = true
        try syncDirectory(directory)
    }

    /// Copies `source` to `destination` atomically (used by `plugin install`).
    public static func copy(_ source: String, to destination: String, mode: mode_t) throws(SystemError) {
        let bytes = try FileSystem.read(source)
        try write(bytes, to: destination, mode: mode)
    }

    public static func syncDirectory(_ directory: String) throws(SystemError) {
        let fd = try retryingEINTR("open", path: directory) { open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(fd) }
        try retryingEINTR("fsync", path: directory) { fsync(fd) }
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

extension AtomicFile {
    public static func parentDirectoryPath(of path: String) -> String { parentDirectory(of: path) }
}
