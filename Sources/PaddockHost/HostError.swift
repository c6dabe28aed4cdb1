/// An error for people: what failed, about which plugin or file, and what to do.
public struct HostError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case notFound = "not-found"
        case ambiguous
        case invalidConfig = "invalid-config"
        case probeFailed = "probe-failed"
        case inUse = "in-use"
        case unusablePath = "unusable-path"
        case io
        case invalidInput = "invalid-input"
        case unsupported
    }

    public var code: Code
    public var message: String
    public var hint: String?

    public init(_ code: Code, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    public var description: String {
        hint.map { "\(message)\n  hint: \($0)" } ?? message
    }
}
