/// One converted argument of an extension action, typed as its signature letter says.
public enum ActionValue: Sendable, Equatable {
    case integer(Int64)
    case float(Double)
    /// UTF-8 without NUL; the host passes it NUL-terminated.
    case string(String)
    case buffer([UInt8])

    public var letter: ExtensionAction.Argument {
        switch self {
        case .integer: .integer
        case .float: .float
        case .string: .string
        case .buffer: .buffer
        }
    }
}

/// Where a buffer argument's bytes come from: `@FILE`, `-` (standard input) or the text itself.
public enum BufferSource: Sendable, Equatable {
    case file(String)
    case standardInput
    case literal([UInt8])

    /// `@FILE` reads FILE, `-` reads standard input, `@@TEXT` is the literal `@TEXT`, and anything
    /// else is its own UTF-8 bytes.
    public init(argument text: String) {
        if text == "-" {
            self = .standardInput
        } else if text.hasPrefix("@@") {
            self = .literal(Array(text.utf8.dropFirst()))
        } else if text.hasPrefix("@") {
            self = .file(String(text.dropFirst()))
        } else {
            self = .literal(Array(text.utf8))
        }
    }
}

/// Why the command line does not fit an action's signature; nothing was called.
public struct ActionArgumentError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Converts command-line strings to an action's typed arguments, refusing anything that does not
/// fit before the plugin is touched. Pure: buffer sources are read through `load`.
public enum ActionArguments {
    public static func convert(
        _ texts: [String], for action: ExtensionAction,
        load: (BufferSource) throws -> [UInt8] = { source in
            guard case .literal(let bytes) = source else { throw ActionArgumentError("cannot read buffers here") }
            return bytes
        }
    ) throws(ActionArgumentError) -> [ActionValue] {
        guard texts.count == action.signature.count else {
            let takes = action.signature.isEmpty
                ? "takes no arguments"
                : "takes \(action.signature.count) argument\(action.signature.count == 1 ? "" : "s") (\(action.usage))"
            throw ActionArgumentError("\(action.name) \(takes), got \(texts.count)")
        }
        let standardInputUses = zip(texts, action.signature).filter { $0.1 == .buffer && $0.0 == "-" }.count
        guard standardInputUses <= 1 else {
            throw ActionArgumentError("\(action.name): only one buffer argument can read standard input (-), \(standardInputUses) do")
        }
        var values: [ActionValue] = []
        for (index, (text, letter)) in zip(texts, action.signature).enumerated() {
            let label = "\(action.name) argument \(index + 1) (\(action.argumentName(at: index)):\(letter.rawValue))"
            switch letter {
            case .integer: values.append(.integer(try integer(text, label)))
            case .float: values.append(.float(try float(text, label)))
            case .string: values.append(.string(try string(text, label)))
            case .buffer: values.append(.buffer(try buffer(text, label, load)))
            }
        }
        return values
    }

    /// Decimal, or 0x / 0o / 0b with an optional sign. A decimal with a leading zero ("0755") is
    /// refused: C would read it as octal, people as decimal.
    static func integer(_ text: String, _ label: String) throws(ActionArgumentError) -> Int64 {
        var digits = Substring(text)
        var negative = false
        if let sign = digits.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        var radix = 10
        for (prefix, base) in [("0x", 16), ("0X", 16), ("0o", 8), ("0O", 8), ("0b", 2), ("0B", 2)] where digits.hasPrefix(prefix) {
            radix = base
            digits = digits.dropFirst(2)
        }
        let wellFormed = !digits.isEmpty && digits.allSatisfy { $0.isASCII && ($0.hexDigitValue.map { $0 < radix } ?? false) }
        guard wellFormed else {
            throw ActionArgumentError("\(label): \"\(text)\" is not an integer; write decimal (-42) or 0x/0o/0b with digits")
        }
        // The digits are valid, so only overflow is left to fail.
        guard let magnitude = UInt64(digits, radix: radix) else { throw outOfRange(text, label) }
        if radix == 10 && digits.count > 1 && digits.first == "0" {
            let trimmed = digits.drop { $0 == "0" }
            let octal = trimmed.isEmpty ? "0" : String(trimmed)
            throw ActionArgumentError("\(label): \"\(text)\" has a leading zero; write 0o\(octal) for octal or drop the zero for decimal")
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw outOfRange(text, label) }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw outOfRange(text, label) }
        return Int64(magnitude)
    }

    static func outOfRange(_ text: String, _ label: String) -> ActionArgumentError {
        ActionArgumentError("\(label): \(text) is outside the 64-bit range \(Int64.min)…\(Int64.max)")
    }

    static func float(_ text: String, _ label: String) throws(ActionArgumentError) -> Double {
        guard let value = Double(text), !text.contains(where: \.isWhitespace) else {
            throw ActionArgumentError("\(label): \"\(text)\" is not a number; write e.g. 1.5, -2 or 6.02e23")
        }
        guard value.isFinite else {
            throw ActionArgumentError("\(label): \"\(text)\" is not a finite number (inf, nan and overflowing values are refused)")
        }
        return value
    }

    static func string(_ text: String, _ label: String) throws(ActionArgumentError) -> String {
        guard !text.utf8.contains(0) else {
            throw ActionArgumentError("\(label): the string contains a NUL byte, which a C string cannot carry; pass it as a buffer (b) instead")
        }
        return text
    }

    static func buffer(_ text: String, _ label: String, _ load: (BufferSource) throws -> [UInt8]) throws(ActionArgumentError) -> [UInt8] {
        let source = BufferSource(argument: text)
        do {
            return try load(source)
        } catch let error as ActionArgumentError {
            throw ActionArgumentError("\(label): \(error.message)")
        } catch {
            switch source {
            case .file(let path): throw ActionArgumentError("\(label): cannot read \(path): \(error)")
            case .standardInput: throw ActionArgumentError("\(label): cannot read standard input: \(error)")
            case .literal: throw ActionArgumentError("\(label): \(error)")
            }
        }
    }
}
