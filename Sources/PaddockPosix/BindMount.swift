import Glibc

/// Bind mounts (mount(2) with MS_BIND) and unmounts, and whether a path is a mount point.
public enum BindMount {
    /// MS_RDONLY, MS_REMOUNT, MS_BIND from <sys/mount.h>.
    static let readOnlyFlag: UInt = 1, remountFlag: UInt = 32, bindFlag: UInt = 4096

    /// Makes `source`'s tree visible at `target` (which must exist), read-only when asked.
    public static func bind(_ source: String, onto target: String, readOnly: Bool) throws(SystemError) {
        guard mount(source, target, nil, bindFlag, nil) == 0 else { throw SystemError("mount", path: "\(source) -> \(target)") }
        if readOnly {
            guard mount("none", target, nil, bindFlag | remountFlag | readOnlyFlag, nil) == 0 else {
                let error = SystemError("mount(remount,ro)", path: target)
                _ = umount2(target, 0)
                throw error
            }
        }
    }

    /// umount2(target, 0): a busy mount point fails with EBUSY and stays mounted (no lazy detach).
    public static func unmount(_ target: String) throws(SystemError) {
        while umount2(target, 0) != 0 {
            if errno == EINTR { continue }
            throw SystemError("umount2", path: target)
        }
    }

    /// True when `path` is the mount point of some mount in this namespace (/proc/self/mountinfo).
    public static func isMountPoint(_ path: String) -> Bool {
        guard let bytes = try? FileSystem.read("/proc/self/mountinfo") else { return false }
        let wanted = (try? FileSystem.realPath(path)) ?? path
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { continue }
            if unescapeMountField(fields[4]) == wanted { return true }
        }
        return false
    }

    /// mountinfo escapes space, tab, newline and backslash as \ooo octal.
    static func unescapeMountField(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        let raw = Array(field.utf8)
        var index = 0
        while index < raw.count {
            if raw[index] == 0x5C, index + 4 <= raw.count,
               let value = UInt8(String(decoding: raw[(index + 1)..<(index + 4)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(raw[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
