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
    /// Names for the arguments in help and errors (the manifest's optional "arguments"); empty
    /// when the manifest gives none, and then `argumentName(at:)` answers ARG1, ARG2, …
    public var argumentNames: [String]

    public init(name: String, symbol: String, signature: [Argument], description: String,
                argumentNames: [String] = []) {
        self.name = name
        self.symbol = symbol
        self.signature = signature
        self.description = description
        self.argumentNames = argumentNames
    }

    public func argumentName(at index: Int) -> String {
        index < argumentNames.count ? argumentNames[index] : "ARG\(index + 1)"
    }

    /// "IFNAME:s MTU:i" — how help and refusals show the arguments.
    public var usage: String {
        signature.enumerated().map { "\(argumentName(at: $0.offset)):\($0.element.rawValue)" }.joined(separator: " ")
    }

    /// Checks the manifest's optional argument names against the signature.
    public static func parseArgumentNames(_ value: JSONValue?, signature: [Argument]) -> Result<[String], ManifestError> {
        guard let value, !value.isNull else { return .success([]) }
        guard let names = value.arrayValue?.compactMap(\.stringValue), names.count == value.arrayValue?.count,
              names.allSatisfy({ !$0.isEmpty && !$0.contains(" ") }) else {
            return .failure(ManifestError("action \"arguments\" must be an array of names without spaces, e.g. [\"IFNAME\", \"MTU\"]"))
        }
        guard names.count == signature.count else {
            return .failure(ManifestError("action \"arguments\" names \(names.count) arguments but the signature has \(signature.count)"))
        }
        return .success(names)
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
