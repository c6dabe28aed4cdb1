import Glibc

/// A file opened read-only and held open for as long as this object lives. While it is open its
/// inode cannot be freed, so no other file can be given its inode number: a path whose stat shows
/// this file's device and inode is this very file, however often the path was replaced meanwhile.
/// Readers that cache a parsed file rely on that (a bare device + inode + mtime check is not
/// enough: ext4 reuses a freed inode number at once, and before Linux 6.13 mtime had the clock
/// tick's resolution).
public final class PinnedFile: @unchecked Sendable {
    public let path: String
    public let status: FileStatus
    private let descriptor: Int32

    public init(_ path: String) throws(SystemError) {
        let fd = try retryingEINTR("open", path: path) { open(path, O_RDONLY | O_CLOEXEC) }
        var st = stat()
        if fstat(fd, &st) != 0 {
            let error = SystemError("fstat", path: path)
            close(fd)
            throw error
        }
        self.path = path
        descriptor = fd
        status = FileStatus(st)
    }

    deinit { close(descriptor) }

    /// True when `other` (a stat of some path) is this file, unchanged in size and mtime.
    public func isUnchanged(comparedTo other: FileStatus) -> Bool {
        other.device == status.device && other.inode == status.inode && other.size == status.size
            && other.mtimeNanoseconds == status.mtimeNanoseconds
    }

    /// The whole file from offset 0 (pread; a pipe or terminal, which has no offsets, is read
    /// from where it stands); refuses more than `limit` bytes.
    public func readAll(limit: Int = 512 << 20) throws(SystemError) -> [UInt8] {
        guard Int(status.size) <= limit else { throw SystemError("read", errno: EFBIG, path: path) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(status.size))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var seekable = true
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                seekable ? pread(descriptor, buffer.baseAddress, buffer.count, off_t(bytes.count))
                         : Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == ESPIPE && seekable {
                    seekable = false
                    continue
                }
                throw SystemError(seekable ? "pread" : "read", path: path)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            guard bytes.count <= limit else { throw SystemError("read", errno: EFBIG, path: path) }
        }
        return bytes
    }
}
