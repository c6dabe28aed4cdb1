import Glibc

/// The parts of `struct stat` Paddock uses.
public struct FileStatus: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case regular, directory, symlink, other }

    public var kind: Kind
    public var mode: UInt32
    public var uid: UInt32
    public var gid: UInt32
    public var size: Int64
    public var inode: UInt64
    public var device: UInt64
    public var mtimeNanoseconds: Int64

    init(_ st: stat) {
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        default: kind = .other
        }
        mode = UInt32(st.st_mode & 0o7777)
        uid = st.st_uid
        gid = st.st_gid
        size = Int64(st.st_size)
        inode = UInt64(st.st_ino)
        device = UInt64(st.st_dev)
        mtimeNanoseconds = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
    }

    public var isGroupOrWorldWritable: Bool { mode & 0o022 != 0 }
}

public enum FileSystem {
    /// stat(2), following symlinks (ELOOP for a loop).
    public static func status(_ path: String) throws(SystemError) -> FileStatus {
        var st = stat()
        try retryingEINTR("stat", path: path) { stat(path, &st) }
        return FileStatus(st)
    }

    /// lstat(2): the link itself.
    public static func linkStatus(_ path: String) throws(SystemError) -> FileStatus {
        var st = stat()
        try retryingEINTR("lstat", path: path) { lstat(path, &st) }
        return FileStatus(st)
    }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func isWritable(_ path: String) -> Bool { access(path, W_OK) == 0 }

    /// Names in a directory, without "." and "..", sorted.
    public static func list(_ path: String) throws(SystemError) -> [String] {
        guard let dir = opendir(path) else { throw SystemError("opendir", path: path) }
        defer { closedir(dir) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 { throw SystemError("readdir", path: path) }
                break
            }
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Reads a whole file; refuses files larger than `limit` bytes.
    public static func read(_ path: String, limit: Int = 512 << 20) throws(SystemError) -> [UInt8] {
        try PinnedFile(path).readAll(limit: limit)
    }

    /// `mkdir -p`: one mkdir(2) when the directory (or all but its last component) exists, which is
    /// the common case on every call path that ensures a state directory before using it.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(SystemError) {
        if mkdir(path, mode) == 0 || errno == EEXIST { return }
        guard errno == ENOENT else { throw SystemError("mkdir", path: path) }
        let parent = AtomicFile.parentDirectory(of: path)
        guard parent != path else { throw SystemError("mkdir", errno: ENOENT, path: path) }
        try makeDirectories(parent, mode: mode)
        if mkdir(path, mode) != 0 && errno != EEXIST { throw SystemError("mkdir", path: path) }
    }

    /// `status(path)`, or nil when there is no such file.
    public static func identity(_ path: String) throws(SystemError) -> FileStatus? {
        do {
            return try status(path)
        } catch where error.errno == ENOENT {
            return nil
        }
    }

    public static func remove(_ path: String) throws(SystemError) {
        try retryingEINTR("unlink", path: path) { unlink(path) }
    }

    public static func realPath(_ path: String) throws(SystemError) -> String {
        guard let resolved = realpath(path, nil) else { throw SystemError("realpath", path: path) }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    public static func currentUID() -> UInt32 { getuid() }
}
