import Foundation

/// One reason an instance does not conform to a schema.
public struct SchemaViolation: Equatable, Sendable, CustomStringConvertible {
    /// JSON Pointer to the offending location in the instance; "" is the root.
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path.isEmpty ? "(root)" : path): \(message)" }
}

/// The schema document itself is malformed.
public struct JSONSchemaError: Error, Sendable, CustomStringConvertible {
    /// JSON Pointer to the offending location in the schema; "" is the root.
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "invalid schema at \(path.isEmpty ? "(root)" : path): \(message)" }
}

/// A compiled JSON Schema (a subset of draft 2020-12 that also accepts the
/// draft-07 spellings `definitions`, array-form `items` and `additionalItems`).
///
/// The whole schema is checked when it is created, so a schema that compiles
/// cannot fail later. Only local `$ref`s ("#", "#/$defs/x", ...) are supported.
/// Keywords next to `$ref` are applied too (2020-12 behaviour).
public struct JSONSchema: Sendable {
    let nodes: [SchemaNode]
    let rootIndex: Int

    public init(_ schema: JSONValue) throws(JSONSchemaError) {
        var compiler = SchemaCompiler(document: schema)
        rootIndex = try compiler.compileDocument()
        nodes = compiler.nodes
    }

    /// Every violation, sorted by instance location in document order (object
    /// members by key, array elements by index, a container before its
    /// contents); violations at the same location keep keyword order.
    public func validate(_ instance: JSONValue) -> [SchemaViolation] {
        var evaluator = SchemaEvaluator(nodes: nodes, stopAtFirstFailure: false)
        evaluator.evaluate(rootIndex, instance)
        return evaluator.sortedViolations()
    }
}

// MARK: - Compiled form

enum SchemaType: String, Sendable {
    case null, boolean, object, array, number, string, integer
}

/// A regular expression compiled once; NSRegularExpression is immutable and
/// safe to share between threads.
final class SchemaPattern: @unchecked Sendable {
    let source: String
    private let regex: NSRegularExpression

    init?(_ source: String) {
        guard let regex = try? NSRegularExpression(pattern: source) else { return nil }
        self.source = source
        self.regex = regex
    }

    /// Unanchored search, as JSON Schema specifies.
    func matches(_ text: String) -> Bool {
        let range = NSRange(location: 0, length: text.utf16.count)
        return regex.firstMatch(in: text, options: [], range: range) != nil
    }
}

/// One compiled (sub)schema. Filled in by `SchemaCompiler` and never mutated
/// afterwards, which is what makes sharing it across threads safe.
final class SchemaNode: @unchecked Sendable {
    let location: String
    var boolean: Bool?

    var ref: Int?
    var refText = ""
    var types: [SchemaType]?
    var enumValues: [JSONValue]?
    var constValue: JSONValue?

    var minimum: Double?
    var maximum: Double?
    var exclusiveMinimum: Double?
    var exclusiveMaximum: Double?
    var multipleOf: Double?

    var minLength: Int?
    var maxLength: Int?
    var pattern: SchemaPattern?
    var format: StringFormat?

    var prefixItems: [Int] = []
    var items: Int?
    /// The keyword `items` came from, for "is not allowed (… is false)".
    var itemsKeyword = "items"
    var contains: Int?
    var minContains = 1
    var maxContains: Int?
    var minItems: Int?
    var maxItems: Int?
    var uniqueItems = false

    var required: [String] = []
    var properties: [String: Int] = [:]
    var patternProperties: [(pattern: SchemaPattern, schema: Int)] = []
    var additionalProperties: Int?
    var propertyNames: Int?
    var minProperties: Int?
    var maxProperties: Int?

    var allOf: [Int] = []
    var anyOf: [Int]?
    var oneOf: [Int]?
    var not: Int?
    var ifSchema: Int?
    var thenSchema: Int?
    var elseSchema: Int?

    init(location: String) {
        self.location = location
    }

    /// Subschemas applied to the same instance location as this one.
    var inPlaceChildren: [Int] {
        var children: [Int] = []
        if let ref { children.append(ref) }
        children += allOf
        children += anyOf ?? []
        children += oneOf ?? []
        children += [not, ifSchema, thenSchema, elseSchema].compactMap { $0 }
        return children
    }
}

/// Escapes and joins reference tokens into a JSON Pointer.
func jsonPointer(_ tokens: [String]) -> String {
    tokens.map { "/" + $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1") }
        .joined()
}
