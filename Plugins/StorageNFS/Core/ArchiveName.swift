import Glibc

/// The directory name an archived volume gets: `archived-<name>-<UTC time>`, cut to fit NAME_MAX.
public enum ArchiveName {
    /// `seconds` since the epoch, written as 20261125T140502Z.
    public static func make(volume: String, seconds: Int) -> String {
        let suffix = "-" + timestamp(seconds)
        let prefix = "archived-"
        let room = VolumeName.maxBytes - prefix.utf8.count - suffix.utf8.count
        var name = volume
        while name.utf8.count > room { name.removeLast() }
        return prefix + name + suffix
    }

    public static func timestamp(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let count = strftime(&buffer, buffer.count, "%Y%m%dT%H%M%SZ", &parts)
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
