import Foundation

/// Turns a schema document into `SchemaNode`s, checking every keyword it
/// understands. Each schema location is compiled once; `$ref` targets are
/// queued and compiled after the main pass, so recursive schemas terminate.
struct SchemaCompiler {
    let document: JSONValue
    private(set) var nodes: [SchemaNode] = []
    private var indexByLocation: [String: Int] = [:]
    private var pendingReferences: [(node: SchemaNode, value: JSONValue, location: [String])] = []

    init(document: JSONValue) {
        self.document = document
    }

    mutating func compileDocument() throws(JSONSchemaError) -> Int {
        let root = try compile(document, at: [])
        var next = 0
        while next < pendingReferences.count {
            let pending = pendingReferences[next]
            try fill(pending.node, from: pending.value, at: pending.location)
            next += 1
        }
        try rejectReferenceCycles()
        return root
    }

    private func failure(_ location: [String], _ message: String) -> JSONSchemaError {
        JSONSchemaError(path: jsonPointer(location), message: message)
    }

    /// Returns the node for `location`, or a fresh one and whether it is new.
    private mutating func node(at location: [String]) -> (index: Int, node: SchemaNode, isNew: Bool) {
        let key = jsonPointer(location)
        if let index = indexByLocation[key] { return (index, nodes[index], false) }
        let node = SchemaNode(location: key)
        nodes.append(node)
        indexByLocation[key] = nodes.count - 1
        return (nodes.count - 1, node, true)
    }

    private mutating func compile(_ value: JSONValue, at location: [String]) throws(JSONSchemaError) -> Int {
        let (index, node, isNew) = node(at: location)
        if isNew { try fill(node, from: value, at: location) }
        return index
    }

    private mutating func fill(_ node: SchemaNode, from value: JSONValue, at location: [String]) throws(JSONSchemaError) {
        let keywords: [String: JSONValue]
        switch value {
        case .bool(let flag):
            node.boolean = flag
            return
        case .object(let members):
            keywords = members
        default:
            throw failure(location, "a schema must be an object or a boolean, not \(article(value.typeName))")
        }
        let reader = KeywordReader(keywords: keywords, location: location)

        if let ref = try reader.string("$ref") {
            node.refText = ref
            node.ref = try reference(ref, from: location + ["$ref"])
        }
        try compileGeneralKeywords(node, reader)
        try compileNumberKeywords(node, reader)
        try compileStringKeywords(node, reader)
        try compileArrayKeywords(node, reader, at: location)
        try compileObjectKeywords(node, reader, at: location)
        try compileApplicators(node, reader, at: location)

        for container in ["$defs", "definitions"] {
            guard let definitions = try reader.object(container) else { continue }
            for name in sortedKeys(definitions) {
                _ = try compile(definitions[name]!, at: location + [container, name])
            }
        }
    }

    // MARK: Keyword groups

    private func compileGeneralKeywords(_ node: SchemaNode, _ reader: KeywordReader) throws(JSONSchemaError) {
        switch reader.keywords["type"] {
        case nil:
            break
        case .string(let name)?:
            node.types = [try schemaType(name, at: reader.location + ["type"])]
        case .array(let names)?:
            var types: [SchemaType] = []
            for (position, name) in names.enumerated() {
                let at = reader.location + ["type", String(position)]
                guard case .string(let text) = name else { throw failure(at, "type names must be strings") }
                let type = try schemaType(text, at: at)
                if types.contains(type) { throw failure(at, "type \"\(text)\" is listed twice") }
                types.append(type)
            }
            node.types = types
        default:
            throw failure(reader.location + ["type"], "type must be a string or an array of strings")
        }
        node.enumValues = try reader.array("enum")
        node.constValue = reader.keywords["const"]
        node.format = try reader.string("format").flatMap(StringFormat.init(rawValue:))
    }

    private func schemaType(_ name: String, at location: [String]) throws(JSONSchemaError) -> SchemaType {
        guard let type = SchemaType(rawValue: name) else { throw failure(location, "unknown type \"\(name)\"") }
        return type
    }

    private func compileNumberKeywords(_ node: SchemaNode, _ reader: KeywordReader) throws(JSONSchemaError) {
        node.minimum = try reader.number("minimum")
        node.maximum = try reader.number("maximum")
        for keyword in ["exclusiveMinimum", "exclusiveMaximum"] {
            if case .bool? = reader.keywords[keyword] {
                throw failure(
                    reader.location + [keyword],
                    "\(keyword) must be a number (the draft-04 boolean form is not supported)")
            }
        }
        node.exclusiveMinimum = try reader.number("exclusiveMinimum")
        node.exclusiveMaximum = try reader.number("exclusiveMaximum")
        node.multipleOf = try reader.number("multipleOf")
        if let divisor = node.multipleOf, divisor <= 0 {
            throw failure(reader.location + ["multipleOf"], "multipleOf must be greater than 0")
        }
    }

    private func compileStringKeywords(_ node: SchemaNode, _ reader: KeywordReader) throws(JSONSchemaError) {
        node.minLength = try reader.count("minLength")
        node.maxLength = try reader.count("maxLength")
        if let source = try reader.string("pattern") {
            node.pattern = try pattern(source, at: reader.location + ["pattern"])
        }
    }

    private func pattern(_ source: String, at location: [String]) throws(JSONSchemaError) -> SchemaPattern {
        guard let compiled = SchemaPattern(source) else {
            throw failure(location, "\"\(source)\" is not a valid regular expression")
        }
        return compiled
    }

    private mutating func compileArrayKeywords(
        _ node: SchemaNode, _ reader: KeywordReader, at location: [String]
    ) throws(JSONSchemaError) {
        if let prefix = try reader.array("prefixItems") {
            node.prefixItems = try compileList(prefix, at: location + ["prefixItems"])
        }
        switch reader.keywords["items"] {
        case .array(let tuple)?:  // draft-07 tuple form
            if reader.keywords["prefixItems"] != nil {
                throw failure(location + ["items"], "items must be a schema when prefixItems is present")
            }
            node.prefixItems = try compileList(tuple, at: location + ["items"])
            if let rest = reader.keywords["additionalItems"] {
                node.items = try compile(rest, at: location + ["additionalItems"])
                node.itemsKeyword = "additionalItems"
            }
        case let schema?:
            node.items = try compile(schema, at: location + ["items"])
        case nil:
            break
        }
        if let schema = reader.keywords["contains"] {
            node.contains = try compile(schema, at: location + ["contains"])
        }
        node.minContains = try reader.count("minContains") ?? 1
        node.maxContains = try reader.count("maxContains")
        node.minItems = try reader.count("minItems")
        node.maxItems = try reader.count("maxItems")
        node.uniqueItems = try reader.bool("uniqueItems") ?? false
    }

    private mutating func compileObjectKeywords(
        _ node: SchemaNode, _ reader: KeywordReader, at location: [String]
    ) throws(JSONSchemaError) {
        if let names = try reader.array("required") {
            for (position, name) in names.enumerated() {
                let at = location + ["required", String(position)]
                guard case .string(let text) = name else { throw failure(at, "required must be an array of strings") }
                if node.required.contains(text) { throw failure(at, "\"\(text)\" is listed twice in required") }
                node.required.append(text)
            }
        }
        if let properties = try reader.object("properties") {
            for name in sortedKeys(properties) {
                node.properties[name] = try compile(properties[name]!, at: location + ["properties", name])
            }
        }
        if let patterns = try reader.object("patternProperties") {
            for source in sortedKeys(patterns) {
                let at = location + ["patternProperties", source]
                let compiled = try pattern(source, at: at)
                node.patternProperties.append((compiled, try compile(patterns[source]!, at: at)))
            }
        }
        if let schema = reader.keywords["additionalProperties"] {
            node.additionalProperties = try compile(schema, at: location + ["additionalProperties"])
        }
        if let schema = reader.keywords["propertyNames"] {
            node.propertyNames = try compile(schema, at: location + ["propertyNames"])
        }
        node.minProperties = try reader.count("minProperties")
        node.maxProperties = try reader.count("maxProperties")
    }

    private mutating func compileApplicators(
        _ node: SchemaNode, _ reader: KeywordReader, at location: [String]
    ) throws(JSONSchemaError) {
        for keyword in ["allOf", "anyOf", "oneOf"] {
            guard let list = try reader.array(keyword) else { continue }
            if list.isEmpty { throw failure(location + [keyword], "\(keyword) must not be empty") }
            let compiled = try compileList(list, at: location + [keyword])
            switch keyword {
            case "allOf": node.allOf = compiled
            case "anyOf": node.anyOf = compiled
            default: node.oneOf = compiled
            }
        }
        if let schema = reader.keywords["not"] { node.not = try compile(schema, at: location + ["not"]) }
        if let schema = reader.keywords["if"] { node.ifSchema = try compile(schema, at: location + ["if"]) }
        if let schema = reader.keywords["then"] { node.thenSchema = try compile(schema, at: location + ["then"]) }
        if let schema = reader.keywords["else"] { node.elseSchema = try compile(schema, at: location + ["else"]) }
    }

    private mutating func compileList(_ list: [JSONValue], at location: [String]) throws(JSONSchemaError) -> [Int] {
        var indices: [Int] = []
        for (position, schema) in list.enumerated() {
            indices.append(try compile(schema, at: location + [String(position)]))
        }
        return indices
    }

    // MARK: References

    /// Resolves a local reference, queueing its target for compilation.
    private mutating func reference(_ ref: String, from location: [String]) throws(JSONSchemaError) -> Int {
        guard ref.hasPrefix("#") else {
            throw failure(location, "$ref \"\(ref)\" is not supported: only local references starting with '#' are")
        }
        guard let fragment = String(ref.dropFirst()).removingPercentEncoding else {
            throw failure(location, "$ref \"\(ref)\" is not a valid URI fragment")
        }
        var tokens: [String] = []
        if !fragment.isEmpty {
            guard fragment.hasPrefix("/") else {
                throw failure(location, "$ref \"\(ref)\" is not supported: only JSON Pointer fragments are")
            }
            for raw in fragment.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
                guard let token = unescapePointerToken(raw) else {
                    throw failure(location, "$ref \"\(ref)\" contains an invalid '~' escape")
                }
                tokens.append(token)
            }
        }
        var target = document
        for token in tokens {
            guard let child = self.child(of: target, token) else {
                throw failure(location, "$ref \"\(ref)\" does not resolve to anything in this schema")
            }
            target = child
        }
        switch target {
        case .object, .bool: break
        default: throw failure(location, "$ref \"\(ref)\" points to \(article(target.typeName)), not a schema")
        }
        let (index, node, isNew) = node(at: tokens)
        if isNew { pendingReferences.append((node, target, tokens)) }
        return index
    }

    private func unescapePointerToken(_ raw: Substring) -> String? {
        var token = ""
        var escaping = false
        for character in raw {
            if escaping {
                switch character {
                case "0": token.append("~")
                case "1": token.append("/")
                default: return nil
                }
                escaping = false
            } else if character == "~" {
                escaping = true
            } else {
                token.append(character)
            }
        }
        return escaping ? nil : token
    }

    private func child(of value: JSONValue, _ token: String) -> JSONValue? {
        switch value {
        case .object(let members):
            return members[token]
        case .array(let elements):
            // Array indices in a pointer are plain decimal without leading zeros.
            guard !token.isEmpty, token.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                token == "0" || !token.hasPrefix("0"), let position = Int(token), position < elements.count
            else { return nil }
            return elements[position]
        default:
            return nil
        }
    }

    /// A cycle of `$ref`/`allOf`/`not`/... that never moves into a child of
    /// the instance would recurse forever on every instance that reaches it.
    private func rejectReferenceCycles() throws(JSONSchemaError) {
        enum Mark { case unvisited, onPath, done }
        var marks = Array(repeating: Mark.unvisited, count: nodes.count)
        for start in nodes.indices where marks[start] == .unvisited {
            // Iterative depth-first search; each frame is (node, next child).
            var path: [(node: Int, next: Int)] = [(start, 0)]
            marks[start] = .onPath
            while let (current, next) = path.last {
                let children = nodes[current].inPlaceChildren
                guard next < children.count else {
                    marks[current] = .done
                    path.removeLast()
                    continue
                }
                path[path.count - 1].next += 1
                let child = children[next]
                switch marks[child] {
                case .unvisited:
                    marks[child] = .onPath
                    path.append((child, 0))
                case .onPath:
                    let cycleStart = path.firstIndex { $0.node == child }!
                    let culprit = path[cycleStart...].map { nodes[$0.node] }.first { $0.ref != nil }
                        ?? nodes[current]
                    throw JSONSchemaError(
                        path: culprit.location + "/$ref",
                        message: "$ref \"\(culprit.refText)\" recurses forever without descending into the instance")
                case .done:
                    break
                }
            }
        }
    }
}

/// Typed access to a schema object's keyword values.
struct KeywordReader {
    let keywords: [String: JSONValue]
    let location: [String]

    private func failure(_ keyword: String, _ expectation: String) -> JSONSchemaError {
        JSONSchemaError(path: jsonPointer(location + [keyword]), message: "\(keyword) must be \(expectation)")
    }

    func string(_ keyword: String) throws(JSONSchemaError) -> String? {
        guard let value = keywords[keyword] else { return nil }
        guard case .string(let text) = value else { throw failure(keyword, "a string") }
        return text
    }

    func number(_ keyword: String) throws(JSONSchemaError) -> Double? {
        guard let value = keywords[keyword] else { return nil }
        guard case .number(let number) = value else { throw failure(keyword, "a number") }
        return number
    }

    func bool(_ keyword: String) throws(JSONSchemaError) -> Bool? {
        guard let value = keywords[keyword] else { return nil }
        guard case .bool(let flag) = value else { throw failure(keyword, "a boolean") }
        return flag
    }

    func array(_ keyword: String) throws(JSONSchemaError) -> [JSONValue]? {
        guard let value = keywords[keyword] else { return nil }
        guard case .array(let elements) = value else { throw failure(keyword, "an array") }
        return elements
    }

    func object(_ keyword: String) throws(JSONSchemaError) -> [String: JSONValue]? {
        guard let value = keywords[keyword] else { return nil }
        guard case .object(let members) = value else { throw failure(keyword, "an object") }
        return members
    }

    /// A non-negative integer such as `minLength`; huge values saturate.
    func count(_ keyword: String) throws(JSONSchemaError) -> Int? {
        guard let value = keywords[keyword] else { return nil }
        guard case .number(let number) = value, number >= 0, number.rounded(.towardZero) == number else {
            throw failure(keyword, "a non-negative integer")
        }
        return number >= Double(Int.max) ? Int.max : Int(number)
    }
}

func sortedKeys(_ members: [String: JSONValue]) -> [String] {
    members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
}

/// "an object", "a number", ... for a JSON type name.
func article(_ typeName: String) -> String {
    switch typeName {
    case "null": return "null"
    case "object", "array", "integer": return "an \(typeName)"
    default: return "a \(typeName)"
    }
}
