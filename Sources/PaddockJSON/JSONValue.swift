/// An immutable JSON document or fragment.
///
/// Numbers are stored as `Double`, so integers beyond 2^53 lose precision, and
/// object member order is not preserved (serialization sorts keys instead).
public enum JSONValue: Equatable, Hashable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

/// Why and where `JSONValue(parsing:)` rejected its input.
public struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Byte offset of the problem in the input.
    public var offset: Int
    public var message: String

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}

// MARK: - Accessors

extension JSONValue {
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public subscript(index: Int) -> JSONValue? {
        if case .array(let elements) = self, elements.indices.contains(index) { return elements[index] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var doubleValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The number as an `Int`, only if it is integral and representable.
    public var intValue: Int? {
        if case .number(let value) = self { return Int(exactly: value) }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// The JSON Schema name of this value's type.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

// MARK: - Literals

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

// MARK: - Codable

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "value is not representable as JSON")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

// MARK: - Serialization

extension JSONValue {
    /// Deterministic JSON text: keys sorted by UTF-8 bytes, integral numbers
    /// below 2^53 without a fraction, other numbers in shortest round-trip form.
    /// Non-finite numbers (which JSON cannot represent) are written as `null`.
    public func serialized(pretty: Bool = false) -> String {
        var writer = JSONWriter(pretty: pretty)
        writer.write(self, indent: 0)
        return String(decoding: writer.output, as: UTF8.self)
    }

    /// The text `serialized()` uses for a number.
    public static func formatNumber(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value.rounded(.towardZero) == value, abs(value) < 9_007_199_254_740_992 {
            return String(Int64(value))
        }
        // Swift's description is the shortest text that round-trips, and its
        // forms ("1e-05", "1.5e+300", "0.1") are all valid JSON numbers.
        return value.description
    }
}

private struct JSONWriter {
    let pretty: Bool
    var output: [UInt8] = []

    init(pretty: Bool) {
        self.pretty = pretty
        output.reserveCapacity(128)
    }

    mutating func write(_ value: JSONValue, indent: Int) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .number(let number): append(JSONValue.formatNumber(number))
        case .string(let text): writeString(text)
        case .array(let elements):
            if elements.isEmpty { return append("[]") }
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                write(element, indent: indent + 1)
            }
            newline(indent)
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty { return append("{}") }
            output.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (position, key) in keys.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                writeString(key)
                output.append(UInt8(ascii: ":"))
                if pretty { output.append(UInt8(ascii: " ")) }
                write(members[key]!, indent: indent + 1)
            }
            newline(indent)
            output.append(UInt8(ascii: "}"))
        }
    }

    private mutating func append(_ text: String) {
        output.append(contentsOf: text.utf8)
    }

    private mutating func newline(_ indent: Int) {
        guard pretty else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2))
    }

    private mutating func writeString(_ text: String) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            case 0x08: append("\\b")
            case 0x0C: append("\\f")
            case 0x00..<0x20:
                append("\\u00")
                output.append(hexDigit(byte >> 4))
                output.append(hexDigit(byte & 0x0F))
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}

// MARK: - Parsing

extension JSONValue {
    /// Parses exactly one JSON value (RFC 8259, strict) from UTF-8 bytes.
    ///
    /// Nesting deeper than 256 arrays/objects is rejected rather than risking
    /// the stack; numbers outside the range of `Double` are rejected; for
    /// duplicate object keys the last occurrence wins.
    public init(parsing bytes: some Collection<UInt8>) throws(JSONParseError) {
        let contiguous = bytes.withContiguousStorageIfAvailable { JSONParser.parse($0) }
        if let contiguous {
            self = try contiguous.get()
        } else {
            self = try Array(bytes).withUnsafeBufferPointer { JSONParser.parse($0) }.get()
        }
    }

    public init(parsing text: String) throws(JSONParseError) {
        var text = text
        self = try text.withUTF8 { JSONParser.parse($0) }.get()
    }
}

private struct JSONParser {
    static let maximumDepth = 256

    let input: UnsafeBufferPointer<UInt8>
    var position = 0
    var depth = 0

    static func parse(_ input: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONParseError> {
        var parser = JSONParser(input: input)
        do throws(JSONParseError) {
            return .success(try parser.parseDocument())
        } catch {
            return .failure(error)
        }
    }

    private mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if position < input.count {
            throw failure(at: position, "unexpected \(describeByte(at: position)) after the JSON value")
        }
        return value
    }

    private func failure(at offset: Int, _ message: String) -> JSONParseError {
        JSONParseError(offset: offset, message: message)
    }

    private func describeByte(at offset: Int) -> String {
        let byte = input[offset]
        if byte > 0x20 && byte < 0x7F { return "character '\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x\(hex.count == 1 ? "0" + hex : hex)"
    }

    private var atEnd: Bool { position >= input.count }

    private mutating func skipWhitespace() {
        while position < input.count {
            switch input[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard !atEnd else { throw failure(at: position, "unexpected end of input, expected a JSON value") }
        switch input[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        default:
            throw failure(at: position, "unexpected \(describeByte(at: position)), expected a JSON value")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let start = position
        let count = literal.utf8CodeUnitCount
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        guard input.count - start >= count, input[start..<start + count].elementsEqual(expected) else {
            throw failure(at: start, "invalid literal, expected '\(literal)'")
        }
        position += count
    }

    private mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        if depth > Self.maximumDepth {
            throw failure(at: position, "nesting is deeper than \(Self.maximumDepth) levels")
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        position += 1  // "["
        skipWhitespace()
        var elements: [JSONValue] = []
        if !atEnd && input[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            guard !atEnd else {
                throw failure(at: position, "unexpected end of input, expected ',' or ']' after array element")
            }
            switch input[position] {
            case UInt8(ascii: ","):
                let comma = position
                position += 1
                skipWhitespace()
                if !atEnd && input[position] == UInt8(ascii: "]") {
                    throw failure(at: comma, "trailing comma before ']' is not allowed")
                }
            case UInt8(ascii: "]"):
                position += 1
                depth -= 1
                return .array(elements)
            default:
                throw failure(at: position, "expected ',' or ']' after array element")
            }
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        position += 1  // "{"
        skipWhitespace()
        var members: [String: JSONValue] = [:]
        if !atEnd && input[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(members)
        }
        while true {
            guard !atEnd else {
                throw failure(at: position, "unexpected end of input, expected a string object key")
            }
            guard input[position] == UInt8(ascii: "\"") else {
                throw failure(at: position, "expected a string object key, found \(describeByte(at: position))")
            }
            let key = try parseString()
            skipWhitespace()
            guard !atEnd, input[position] == UInt8(ascii: ":") else {
                throw failure(at: position, "expected ':' after object key")
            }
            position += 1
            skipWhitespace()
            members[key] = try parseValue()
            skipWhitespace()
            guard !atEnd else {
                throw failure(at: position, "unexpected end of input, expected ',' or '}' after object member")
            }
            switch input[position] {
            case UInt8(ascii: ","):
                let comma = position
                position += 1
                skipWhitespace()
                if !atEnd && input[position] == UInt8(ascii: "}") {
                    throw failure(at: comma, "trailing comma before '}' is not allowed")
                }
            case UInt8(ascii: "}"):
                position += 1
                depth -= 1
                return .object(members)
            default:
                throw failure(at: position, "expected ',' or '}' after object member")
            }
        }
    }

    // MARK: Strings

    private mutating func parseString() throws(JSONParseError) -> String {
        let opening = position
        position += 1
        var runStart = position
        var unescaped: [UInt8]? = nil  // only allocated once an escape is seen
        while position < input.count {
            let byte = input[position]
            if byte == UInt8(ascii: "\"") {
                let run = UnsafeBufferPointer(rebasing: input[runStart..<position])
                position += 1
                guard unescaped != nil else { return String(decoding: run, as: UTF8.self) }
                unescaped!.append(contentsOf: run)
                return String(decoding: unescaped!, as: UTF8.self)
            } else if byte == UInt8(ascii: "\\") {
                if unescaped == nil { unescaped = [] }
                unescaped!.append(contentsOf: input[runStart..<position])
                try appendEscape(to: &unescaped!, stringStart: opening)
                runStart = position
            } else if byte < 0x20 {
                throw failure(at: position, "unescaped control character \(describeByte(at: position)) in string")
            } else if byte < 0x80 {
                position += 1
            } else {
                try skipUTF8Sequence()
            }
        }
        throw failure(at: opening, "unterminated string")
    }

    /// Validates one multi-byte UTF-8 sequence (RFC 3629: no overlongs, no
    /// surrogates, nothing above U+10FFFF) and moves past it.
    private mutating func skipUTF8Sequence() throws(JSONParseError) {
        let lead = input[position]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: throw failure(at: position, "invalid UTF-8 byte 0x\(String(lead, radix: 16, uppercase: true))")
        }
        guard input.count - position >= length, secondRange.contains(input[position + 1]) else {
            throw failure(at: position, "invalid UTF-8 sequence")
        }
        for offset in 2..<length where !(0x80...0xBF).contains(input[position + offset]) {
            throw failure(at: position, "invalid UTF-8 sequence")
        }
        position += length
    }

    private mutating func appendEscape(to buffer: inout [UInt8], stringStart: Int) throws(JSONParseError) {
        let escape = position
        guard escape + 1 < input.count else { throw failure(at: stringStart, "unterminated string") }
        let simple: UInt8
        switch input[escape + 1] {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            try appendUnicodeEscape(to: &buffer)
            return
        case let other where other > 0x20 && other < 0x7F:
            throw failure(at: escape, "invalid escape sequence '\\\(Character(Unicode.Scalar(other)))'")
        default:
            throw failure(at: escape, "invalid escape sequence: '\\' followed by \(describeByte(at: escape + 1))")
        }
        buffer.append(simple)
        position += 2
    }

    private mutating func appendUnicodeEscape(to buffer: inout [UInt8]) throws(JSONParseError) {
        let escape = position
        guard let unit = hexQuad(at: escape + 2) else {
            throw failure(at: escape, "invalid \\u escape, expected four hex digits")
        }
        position += 6
        var scalarValue = UInt32(unit)
        switch unit {
        case 0xD800...0xDBFF:
            guard position + 1 < input.count,
                input[position] == UInt8(ascii: "\\"), input[position + 1] == UInt8(ascii: "u"),
                let low = hexQuad(at: position + 2), (0xDC00...0xDFFF).contains(low)
            else {
                throw failure(at: escape, "unpaired UTF-16 high surrogate in \\u escape")
            }
            position += 6
            scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
        case 0xDC00...0xDFFF:
            throw failure(at: escape, "unpaired UTF-16 low surrogate in \\u escape")
        default:
            break
        }
        buffer.append(contentsOf: UTF8.encode(Unicode.Scalar(scalarValue)!)!)
    }

    private func hexQuad(at offset: Int) -> UInt16? {
        guard offset + 4 <= input.count else { return nil }
        var value: UInt16 = 0
        for byte in input[offset..<offset + 4] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    // MARK: Numbers

    private func isDigit(at offset: Int) -> Bool {
        offset < input.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(input[offset])
    }

    private mutating func skipDigits() {
        while isDigit(at: position) { position += 1 }
    }

    private mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = position
        let negative = input[position] == UInt8(ascii: "-")
        if negative {
            position += 1
            guard isDigit(at: position) else { throw failure(at: position, "expected a digit after '-'") }
        }
        let integerStart = position
        if input[position] == UInt8(ascii: "0") {
            position += 1
            if isDigit(at: position) { throw failure(at: integerStart, "leading zeros are not allowed in numbers") }
        } else {
            skipDigits()
        }
        let integerEnd = position
        var isPlainInteger = true
        if position < input.count && input[position] == UInt8(ascii: ".") {
            isPlainInteger = false
            position += 1
            guard isDigit(at: position) else { throw failure(at: position, "expected a digit after '.'") }
            skipDigits()
        }
        if position < input.count && (input[position] | 0x20) == UInt8(ascii: "e") {
            isPlainInteger = false
            position += 1
            if position < input.count && (input[position] == UInt8(ascii: "+") || input[position] == UInt8(ascii: "-")) {
                position += 1
            }
            guard isDigit(at: position) else { throw failure(at: position, "expected a digit in exponent") }
            skipDigits()
        }
        // Fast path: up to 15 digits are exact in both Int64 and Double.
        if isPlainInteger && integerEnd - integerStart <= 15 {
            var magnitude: Int64 = 0
            for byte in input[integerStart..<integerEnd] {
                magnitude = magnitude * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return negative ? -Double(magnitude) : Double(magnitude)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: input[start..<position]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw failure(at: start, "number is out of range")
        }
        return value
    }
}
