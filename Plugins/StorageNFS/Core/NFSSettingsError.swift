/// Why a volume name, the enable config or a volume's options were refused, and what to do.
public struct NFSSettingsError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var fix: String

    public init(_ message: String, fix: String) {
        self.message = message
        self.fix = fix
    }

    public var description: String { fix.isEmpty ? message : "\(message); \(fix)" }
}
