import PaddockPosix

/// Who may have written a plugin file or directory, as sudo's plugin loader checks: the owner is
/// root or the invoking user, and neither group nor others may write it. Anything else could
/// have been swapped by someone else, so it is refused with the path and the fix.
public struct TrustPolicy: Sendable {
    /// The user running paddock (real uid); root is always trusted.
    public var invokingUser: UInt32

    public init(invokingUser: UInt32 = FileSystem.currentUID()) {
        self.invokingUser = invokingUser
    }

    /// nil when trusted, else the reason (naming `path` and the fix).
    public func problem(with status: FileStatus, path: String, what: String) -> String? {
        if status.uid != 0 && status.uid != invokingUser {
            return "untrusted \(what) \(path): owned by uid \(status.uid), not root or the invoking user (uid \(invokingUser)); fix: chown root \(path)"
        }
        if status.isGroupOrWorldWritable {
            let who = status.mode & 0o002 != 0 ? "world" : "group"
            return "untrusted \(what) \(path): \(who)-writable (mode \(String(status.mode, radix: 8))); fix: chmod go-w \(path)"
        }
        return nil
    }
}
