/// Request.swift of a generated Swift driver: refuses non-object requests, reads named fields.
enum SwiftRequestTemplate {
    static let text = #"""
import PaddockPluginKit
import PluginABI

/// The fields of one request. Every operation starts here: the SDK has already refused what is not
/// JSON, and this refuses JSON that is not an object (the conformance kit sends both).
struct Request {
    let fields: [String: JSONValue]

    init(_ request: JSONValue) throws(DriverError) {
        guard let fields = request.objectValue else {
            throw .decode("the request is not a JSON object", details: "send one JSON object")
        }
        self.fields = fields
    }

    /// A name-like string: it becomes part of store keys, so 1-128 of A-Z a-z 0-9 . _ -
    func name(_ key: String) throws(DriverError) -> String {
        guard let value = fields[key] else { throw .invalidConfig("the request needs a string \"\(key)\"") }
        guard let text = value.stringValue, Self.isName(text) else {
            throw .invalidConfig("\"\(key)\" must be a string of 1-128 characters A-Z a-z 0-9 . _ -")
        }
        return text
    }

    func optionalName(_ key: String, default fallback: String) throws(DriverError) -> String {
        fields[key] == nil ? fallback : try name(key)
    }

    /// An object member, or `fallback` when absent.
    func object(_ key: String, default fallback: JSONValue = .object([:])) throws(DriverError) -> JSONValue {
        guard let value = fields[key] else { return fallback }
        guard value.objectValue != nil else { throw .invalidConfig("\"\(key)\" must be a JSON object") }
        return value
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws(DriverError) -> Int {
        guard let value = fields[key]?.doubleValue, value == value.rounded(), let integer = Int(exactly: value),
              range.contains(integer) else {
            throw .invalidConfig("\"\(key)\" must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return integer
    }

    static func isName(_ text: String) -> Bool {
        guard (1...128).contains(text.utf8.count), text != ".", text != ".." else { return false }
        return text.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
    }
}

extension HostClient {
    /// A stored JSON value, or nil when the key is absent.
    func json(_ key: String) throws(DriverError) -> JSONValue? {
        guard let bytes = try get(key) else { return nil }
        do {
            return try JSONValue(parsing: bytes)
        } catch {
            throw .internalError("the stored value of \(key) is not JSON: \(error)")
        }
    }

    func put(_ key: String, json value: JSONValue) throws(DriverError) {
        try put(key, Array(value.serialized().utf8))
    }
}
"""#
}
