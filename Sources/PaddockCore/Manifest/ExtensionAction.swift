/// An extra C function a plugin declares in its manifest, called by the host through libffi.
/// Signature letters: `i` int64_t, `f` double, `s` const char * (UTF-8, NUL-terminated),
/// `b` buffer (const void *, size_t — two C arguments). The return type is always paddock_status.
public struct ExtensionAction: Sendable, Equatable {
    public enum Argument: Character, Sendable, Equatable {
        case integer = "i", float = "f", string = "s", buffer = "b"
    }

    public var name: String
    public var symbol: String
    public var signature: [Argument]
    public var description: String

    public init(name: String, symbol: String, signature: [Argument], description: String) {
        self.name = name
        self.symbol = symbol
        self.signature = signature
        self.description = description
    }

    /// Parses a signature string such as "si"; nil names the first bad letter.
    public static func parseSignature(_ text: String) -> Result<[Argument], ManifestError> {
        var result: [Argument] = []
        for (index, letter) in text.enumerated() {
            guard let argument = Argument(rawValue: letter) else {
                return .failure(ManifestError(
                    "action signature \"\(text)\" has '\(letter)' at position \(index + 1); use i (integer), f (float), s (string) or b (buffer)"))
            }
            result.append(argument)
        }
        guard result.count <= 16 else {
            return .failure(ManifestError("action signature \"\(text)\" has \(result.count) arguments; at most 16 are allowed"))
        }
        return .success(result)
    }
}
