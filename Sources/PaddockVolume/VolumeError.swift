/// A volume operation that failed, said for people: what, on which volume or file, and the fix.
public struct VolumeError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidName = "invalid-name"
        case invalidOption = "invalid-option"
        case notFound = "not-found"
        case exists
        case busy
        case corruptRecord = "corrupt-record"
        case driver
        case notSupported = "not-supported"
        case io
    }

    public var code: Code
    public var message: String
    public var hint: String?

    public init(_ code: Code, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    public var description: String { hint.map { "\(message); \($0)" } ?? message }
}
