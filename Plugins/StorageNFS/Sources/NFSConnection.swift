import CNFS
import Glibc
import PaddockPluginKit
import PluginABI
import StorageNFSCore

/// One libnfs context connected to a directory on the server: the thin layer over libnfs's sync
/// calls. Paths are relative to that directory ("/" is the directory itself). Every failure is a
/// DriverError naming the call, the server path and libnfs's message; errno in details.
final class NFSConnection {
    private let context: OpaquePointer
    let location: ServerLocation

    /// Connects, each round trip bounded by `timeoutSeconds` (a server that is down fails fast,
    /// one that does not answer fails after the timeout).
    init(_ location: ServerLocation, version: NFSVersion, timeoutSeconds: Int) throws(DriverError) {
        // Every failure path frees the context here: self (and so deinit) only exists once connected.
        guard let context = nfs_init_context() else { throw .internalError("nfs_init_context failed (out of memory?)") }
        nfs_set_timeout(context, Int32(timeoutSeconds * 1000))
        let url = location.url(version: version)
        guard let parsed = nfs_parse_url_dir(context, url) else {
            let message = Self.message(context)
            nfs_destroy_context(context)
            throw .invalidConfig("nfs: \(url) is not a URL libnfs accepts: \(message)")
        }
        let status = nfs_mount(context, parsed.pointee.server, parsed.pointee.path)
        nfs_destroy_url(parsed)
        guard status == 0 else {
            let error = Self.failure("nfs_mount", location.description, status, Self.message(context))
            nfs_destroy_context(context)
            let fix = error.code == PADDOCK_E_TIMEOUT
                ? "the NFS server at \(location.host):\(location.port) did not answer within \(timeoutSeconds) s: check that it runs and is reachable, or raise \"timeout\""
                : "check that an NFS server runs at \(location.host):\(location.port) and exports \(location.path.isEmpty ? "/" : location.path) read-write to this host"
            throw DriverError(code: error.code, "nfs: cannot reach \(location): \(error.message)", details: fix)
        }
        self.context = context
        self.location = location
    }

    deinit {
        nfs_umount(context)
        nfs_destroy_context(context)
    }

    private var lastError: String { Self.message(context) }

    private static func message(_ context: OpaquePointer) -> String {
        nfs_get_error(context).map { String(cString: $0) } ?? "no message"
    }

    static func failure(_ call: String, _ path: String, _ status: Int32, _ message: String) -> DriverError {
        let code = -status
        let text = "\(call)(\(path)) failed: \(message) (errno \(code), \(String(cString: strerror(code))))"
        if code == ETIMEDOUT || message.contains("timed out") || message.contains("timeout") {
            return DriverError(code: PADDOCK_E_TIMEOUT, text)
        }
        return .io(text)
    }

    private func check(_ status: Int32, _ call: String, _ path: String) throws(DriverError) {
        guard status < 0 else { return }
        throw Self.failure(call, location.description + path, status, lastError)
    }

    enum Kind { case directory, other }

    /// The kind of `path`, or nil when it does not exist.
    func kind(_ path: String) throws(DriverError) -> Kind? {
        var stat = nfs_stat_64()
        let status = nfs_lstat64(context, path, &stat)
        if status == -ENOENT { return nil }
        try check(status, "nfs_lstat64", path)
        return (stat.nfs_mode & UInt64(S_IFMT)) == UInt64(S_IFDIR) ? .directory : .other
    }

    /// Creates the directory; false when something of that name exists already.
    func makeDirectory(_ path: String, mode: Int32 = 0o755) throws(DriverError) -> Bool {
        let status = nfs_mkdir2(context, path, mode)
        if status == -EEXIST { return false }
        try check(status, "nfs_mkdir2", path)
        // No chmod after: libnfs 4.0's NFSv4 SETATTR on a directory fails with EISDIR.
        return true
    }

    func rename(_ from: String, _ to: String) throws(DriverError) {
        try check(nfs_rename(context, from, to), "nfs_rename", "\(from) -> \(to)")
    }

    func entries(_ path: String) throws(DriverError) -> [String] {
        var directory: OpaquePointer?
        try check(nfs_opendir(context, path, &directory), "nfs_opendir", path)
        defer { nfs_closedir(context, directory) }
        var names: [String] = []
        while let entry = nfs_readdir(context, directory) {
            let name = String(cString: entry.pointee.name)
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Deletes `path` and everything below it; nothing to do when it is gone already.
    func removeTree(_ path: String) throws(DriverError) {
        switch try kind(path) {
        case nil: return
        case .other?:
            let status = nfs_unlink(context, path)
            if status != -ENOENT { try check(status, "nfs_unlink", path) }
        case .directory?:
            try removeContents(path)
            let status = nfs_rmdir(context, path)
            if status != -ENOENT { try check(status, "nfs_rmdir", path) }
        }
    }

    /// Deletes everything inside the directory `path`, keeping the directory.
    func removeContents(_ path: String) throws(DriverError) {
        let prefix = path == "/" ? "" : path
        for name in try entries(path) { try removeTree("\(prefix)/\(name)") }
    }
}
