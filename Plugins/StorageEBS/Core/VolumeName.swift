/// A volume name as callers give it (Docker, FlexVolume, `paddock volume`). It becomes a KV key,
/// an EC2 tag and a directory under the mount root, so anything that could escape that directory
/// or confuse a key is refused before any work is done.
public struct VolumeName: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    public static let maximumBytes = 255

    public init(_ text: String) throws(EBSInputError) {
        guard !text.isEmpty else {
            throw EBSInputError("the volume name is empty; give a name such as \"db-data\"")
        }
        guard text.utf8.count <= Self.maximumBytes else {
            throw EBSInputError("the volume name is \(text.utf8.count) bytes long; names are at most \(Self.maximumBytes) bytes")
        }
        guard !text.utf8.contains(0) else {
            throw EBSInputError("the volume name contains a NUL byte; use letters, digits, '-', '_' and '.'")
        }
        guard !text.contains("/") else {
            throw EBSInputError("the volume name \"\(text)\" contains '/'; a name is one path component")
        }
        guard text != ".", !text.contains("..") else {
            throw EBSInputError("the volume name \"\(text)\" contains \"..\" or is \".\"; pick a plain name")
        }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw EBSInputError("the volume name contains a control character; use letters, digits, '-', '_' and '.'")
        }
        value = text
    }

    public var description: String { value }
}

/// Input the caller can fix: a bad name, an unknown or malformed option, a bad config value.
public struct EBSInputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
