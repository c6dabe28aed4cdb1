import Glibc

/// An exclusive advisory lock (flock) on a lock file, held across processes for a closure.
public enum FileLock {
    public static func withExclusiveLock<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let fd = try retryingEINTR("open", path: path) { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
        defer { close(fd) }
        try retryingEINTR("flock", path: path) { flock(fd, LOCK_EX) }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
