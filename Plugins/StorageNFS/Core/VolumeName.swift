/// A volume name that is safe as one directory name on the server and as a store key.
public struct VolumeName: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    /// The longest name an NFS directory entry may have (NFSv4 servers' usual NAME_MAX).
    public static let maxBytes = 255

    public init(validating text: String) throws(NFSSettingsError) {
        guard !text.isEmpty else { throw NFSSettingsError("the volume name is empty", fix: "give the volume a name") }
        guard !text.utf8.contains(0) else {
            throw NFSSettingsError("the volume name contains a NUL byte", fix: "use letters, digits, '.', '_' or '-'")
        }
        guard !text.contains("/") else {
            throw NFSSettingsError("the volume name \"\(text)\" contains '/'", fix: "a volume is one directory: drop the '/'")
        }
        guard text != ".", text != ".." else {
            throw NFSSettingsError("the volume name \"\(text)\" names a directory itself", fix: "pick another name")
        }
        guard text.utf8.count <= Self.maxBytes else {
            throw NFSSettingsError("the volume name is \(text.utf8.count) bytes long", fix: "use at most \(Self.maxBytes) bytes")
        }
        value = text
    }

    public var description: String { value }
}
