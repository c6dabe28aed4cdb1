import Glibc

/// An exclusive advisory lock (flock) on a lock file, held across processes for a closure.
public enum FileLock {
    public static func withExclusiveLock<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let fd = try acquire(path)
        defer { close(fd) }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// Takes the lock (creating the file) and returns its descriptor; closing it releases the lock.
    public static func acquire(_ path: String) throws(SystemError) -> Int32 {
        let fd = try retryingEINTR("open", path: path) { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
        do {
            try retryingEINTR("flock", path: path) { flock(fd, LOCK_EX) }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }
}
