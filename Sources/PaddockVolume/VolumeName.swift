/// The names a volume may have everywhere Paddock stores or passes them: 1–255 bytes of UTF-8,
/// no "/" or NUL, and not "." or ".." — a name that is always one safe path component.
public enum VolumeName {
    public static let maximumBytes = 255

    public static func validate(_ name: String) throws(VolumeError) {
        let fix = "use 1-\(maximumBytes) bytes without '/' or NUL, other than '.' and '..'"
        let shown = String(name.unicodeScalars.prefix(40).map { $0 == "\0" ? "\\0" : String($0) }.joined())
        if name.isEmpty { throw VolumeError(.invalidName, "the volume name is empty", hint: fix) }
        if name.utf8.count > maximumBytes {
            throw VolumeError(.invalidName, "the volume name \"\(shown)…\" is \(name.utf8.count) bytes long, over \(maximumBytes)", hint: fix)
        }
        if name.utf8.contains(0) { throw VolumeError(.invalidName, "the volume name \"\(shown)\" contains a NUL byte", hint: fix) }
        if name.contains("/") { throw VolumeError(.invalidName, "the volume name \"\(shown)\" contains '/'", hint: fix) }
        if name == "." || name == ".." { throw VolumeError(.invalidName, "the volume name \"\(name)\" is not allowed", hint: fix) }
    }
}
