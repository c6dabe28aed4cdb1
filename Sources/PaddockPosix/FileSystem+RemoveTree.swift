import Glibc

extension FileSystem {
    /// `rm -rf` without following symlinks (a link is removed, never what it points to). Best
    /// effort: what cannot be removed stays, and a missing path is not an error.
    public static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in (try? list(path)) ?? [] { removeTree("\(path)/\(name)") }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
