/// A problem with the enable config or a metadata record, with the fix to tell the user.
public struct IPsecConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var fix: String

    public init(_ message: String, fix: String) {
        self.message = message
        self.fix = fix
    }

    public var description: String { "\(message); \(fix)" }
}
