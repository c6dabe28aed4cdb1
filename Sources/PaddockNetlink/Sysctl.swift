import Glibc

/// Writes under /proc/sys. Network keys resolve in the calling thread's namespace, so call these
/// inside `NetworkNamespace.run` for another namespace.
public enum Sysctl {
    /// `sysctl -w net.ipv4.ip_forward=1` is `write("net/ipv4/ip_forward", "1")` (or dotted key).
    public static func write(_ key: String, _ value: String) throws(NetlinkError) {
        let path = "/proc/sys/" + key.replacingDots()
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw NetlinkError("open \(path)", errno: errno) }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        while true {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written >= 0 { return }
            if errno != EINTR { throw NetlinkError("write \(value) to \(path)", errno: errno) }
        }
    }

    public static func read(_ key: String) throws(NetlinkError) -> String {
        let path = "/proc/sys/" + key.replacingDots()
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw NetlinkError("open \(path)", errno: errno) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count >= 0 else { throw NetlinkError("read \(path)", errno: errno) }
        return String(decoding: buffer[0..<count], as: UTF8.self).trimmingNewline()
    }
}

private extension String {
    /// Dotted sysctl keys use `/` as the separator; keys that already have `/` stay as they are
    /// (interface names may contain dots: net/ipv4/conf/eth0.5/forwarding).
    func replacingDots() -> String {
        contains("/") ? self : String(map { $0 == "." ? "/" : $0 })
    }

    func trimmingNewline() -> String {
        var text = self
        while text.last == "\n" { text.removeLast() }
        return text
    }
}
