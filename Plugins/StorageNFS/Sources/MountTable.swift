/// What /proc/self/mountinfo says is mounted.
enum MountTable {
    /// The mount point of every mount, octal escapes (\040 for a space) decoded.
    static func mountPoints() -> [String] {
        (Files.read("/proc/self/mountinfo") ?? "").split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            return fields.count > 4 ? unescape(fields[4]) : nil
        }
    }

    static func isMounted(_ target: String) -> Bool {
        let path = Files.realPath(target) ?? target
        return mountPoints().contains(path)
    }

    /// The filesystem type mounted at `target` ("fuse.paddock-nfs", "nfs4"), if any.
    static func type(at target: String) -> String? {
        let path = Files.realPath(target) ?? target
        for line in (Files.read("/proc/self/mountinfo") ?? "").split(separator: "\n").reversed() {
            let fields = line.split(separator: " ")
            guard fields.count > 4, unescape(fields[4]) == path, let dash = fields.firstIndex(of: "-"),
                  dash + 1 < fields.count else { continue }
            return String(fields[dash + 1])
        }
        return nil
    }

    static func unescape(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), utf8.count >= 3,
               let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
