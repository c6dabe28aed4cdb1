/// One step of an instance location.
enum InstancePathToken: Equatable {
    case key(String)
    case index(Int)
}

/// Applies compiled schema nodes to an instance, collecting violations.
///
/// `stopAtFirstFailure` is used for sub-checks (anyOf, oneOf, not, if,
/// contains) where only "does it match" matters.
struct SchemaEvaluator {
    /// Guards against stack exhaustion on deep instances with recursive schemas.
    static let maximumDepth = 1024

    let nodes: [SchemaNode]
    let stopAtFirstFailure: Bool
    private var path: [InstancePathToken] = []
    private var depth = 0
    private(set) var violations: [(path: [InstancePathToken], message: String)] = []

    init(nodes: [SchemaNode], stopAtFirstFailure: Bool) {
        self.nodes = nodes
        self.stopAtFirstFailure = stopAtFirstFailure
    }

    private var isFinished: Bool { stopAtFirstFailure && !violations.isEmpty }

    private mutating func report(_ message: String) {
        violations.append((path, message))
    }

    /// Does `instance` (at the current location) satisfy node `index`?
    private func matches(_ index: Int, _ instance: JSONValue) -> Bool {
        var probe = SchemaEvaluator(nodes: nodes, stopAtFirstFailure: true)
        probe.path = path
        probe.depth = depth
        probe.evaluate(index, instance)
        return probe.violations.isEmpty
    }

    private mutating func evaluate(_ index: Int, _ instance: JSONValue, at token: InstancePathToken, rejectedBy keyword: String? = nil) {
        path.append(token)
        evaluate(index, instance, rejectedBy: keyword)
        path.removeLast()
    }

    /// - Parameter keyword: names the keyword in the message if the schema is `false`.
    mutating func evaluate(_ index: Int, _ instance: JSONValue, rejectedBy keyword: String? = nil) {
        if isFinished { return }
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else {
            return report("is nested too deeply to validate (limit \(Self.maximumDepth))")
        }
        let node = nodes[index]
        if let boolean = node.boolean {
            if !boolean { report(keyword.map { "is not allowed (\($0) is false)" } ?? "is not allowed") }
            return
        }
        if let ref = node.ref { evaluate(ref, instance) }
        checkGeneral(node, instance)
        switch instance {
        case .number(let number): checkNumber(node, number)
        case .string(let text): checkString(node, text)
        case .array(let elements): checkArray(node, elements)
        case .object(let members): checkObject(node, members)
        case .null, .bool: break
        }
        checkApplicators(node, instance)
    }

    // MARK: Keyword groups

    private mutating func checkGeneral(_ node: SchemaNode, _ instance: JSONValue) {
        if let types = node.types, !types.contains(where: { Self.instance(instance, hasType: $0) }) {
            report("must be \(Self.listPhrase(types.map { article($0.rawValue) }, joiner: "or"))")
        }
        if let allowed = node.enumValues, !allowed.contains(instance) {
            report("must be one of \(allowed.map { $0.serialized() }.joined(separator: ", "))")
        }
        if let constant = node.constValue, constant != instance {
            report("must be equal to \(constant.serialized())")
        }
    }

    private static func instance(_ instance: JSONValue, hasType type: SchemaType) -> Bool {
        switch (type, instance) {
        case (.null, .null), (.boolean, .bool), (.number, .number), (.string, .string),
            (.array, .array), (.object, .object):
            return true
        case (.integer, .number(let number)):
            return number.isFinite && number.rounded(.towardZero) == number
        default:
            return false
        }
    }

    private mutating func checkNumber(_ node: SchemaNode, _ number: Double) {
        let format = JSONValue.formatNumber
        if let limit = node.minimum, !(number >= limit) { report("must be >= \(format(limit))") }
        if let limit = node.maximum, !(number <= limit) { report("must be <= \(format(limit))") }
        if let limit = node.exclusiveMinimum, !(number > limit) { report("must be > \(format(limit))") }
        if let limit = node.exclusiveMaximum, !(number < limit) { report("must be < \(format(limit))") }
        if let divisor = node.multipleOf, !Self.isMultiple(number, of: divisor) {
            report("must be a multiple of \(format(divisor))")
        }
    }

    /// Decimal fractions are inexact in binary (0.3 / 0.1 = 2.9999999999999996),
    /// so a quotient within a few ulps of an integer counts as a multiple.
    private static func isMultiple(_ number: Double, of divisor: Double) -> Bool {
        let quotient = number / divisor
        guard quotient.isFinite else { return false }
        let nearest = quotient.rounded()
        return abs(quotient - nearest) <= 1e-9 + 8 * abs(quotient) * Double.ulpOfOne
    }

    private mutating func checkString(_ node: SchemaNode, _ text: String) {
        if node.minLength != nil || node.maxLength != nil {
            let length = text.unicodeScalars.count
            if let limit = node.minLength, length < limit {
                report("must be at least \(Self.counted(limit, "character")) long")
            }
            if let limit = node.maxLength, length > limit {
                report("must be at most \(Self.counted(limit, "character")) long")
            }
        }
        if let pattern = node.pattern, !pattern.matches(text) {
            report("must match pattern \(JSONValue.string(pattern.source).serialized())")
        }
        if let format = node.format, !format.accepts(text) {
            report("must be \(format.expectation)")
        }
    }

    private mutating func checkArray(_ node: SchemaNode, _ elements: [JSONValue]) {
        if let limit = node.minItems, elements.count < limit {
            report("must have at least \(Self.counted(limit, "item"))")
        }
        if let limit = node.maxItems, elements.count > limit {
            report("must have at most \(Self.counted(limit, "item"))")
        }
        if node.uniqueItems {
            var firstIndex: [JSONValue: Int] = [:]
            for (position, element) in elements.enumerated() {
                if let earlier = firstIndex[element] {
                    report("must not contain duplicate items (items \(earlier) and \(position) are equal)")
                    break
                }
                firstIndex[element] = position
            }
        }
        for (position, element) in elements.enumerated() {
            if position < node.prefixItems.count {
                evaluate(node.prefixItems[position], element, at: .index(position))
            } else if let items = node.items {
                evaluate(items, element, at: .index(position), rejectedBy: node.itemsKeyword)
            }
        }
        if let contains = node.contains {
            let matching = elements.reduce(0) { count, element in count + (matches(contains, element) ? 1 : 0) }
            if matching < node.minContains {
                let amount = node.minContains == 1 ? "one item" : Self.counted(node.minContains, "item")
                report("must contain at least \(amount) matching the contains schema")
            }
            if let limit = node.maxContains, matching > limit {
                report("must contain at most \(Self.counted(limit, "item")) matching the contains schema")
            }
        }
    }

    private mutating func checkObject(_ node: SchemaNode, _ members: [String: JSONValue]) {
        if let limit = node.minProperties, members.count < limit {
            report("must have at least \(Self.counted(limit, "property", plural: "properties"))")
        }
        if let limit = node.maxProperties, members.count > limit {
            report("must have at most \(Self.counted(limit, "property", plural: "properties"))")
        }
        for name in node.required where members[name] == nil {
            report("is missing required property \(JSONValue.string(name).serialized())")
        }
        for name in sortedKeys(members) {
            let value = members[name]!
            var covered = false
            if let schema = node.properties[name] {
                covered = true
                evaluate(schema, value, at: .key(name))
            }
            for (pattern, schema) in node.patternProperties where pattern.matches(name) {
                covered = true
                evaluate(schema, value, at: .key(name))
            }
            if !covered, let additional = node.additionalProperties {
                evaluate(additional, value, at: .key(name), rejectedBy: "additionalProperties")
            }
            if let namesSchema = node.propertyNames {
                checkPropertyName(name, against: namesSchema)
            }
        }
    }

    /// Names are not instance locations, so their violations are reported at
    /// the member they name, phrased as being about the name.
    private mutating func checkPropertyName(_ name: String, against schema: Int) {
        var nameCheck = SchemaEvaluator(nodes: nodes, stopAtFirstFailure: stopAtFirstFailure)
        nameCheck.depth = depth
        nameCheck.evaluate(schema, .string(name))
        path.append(.key(name))
        for violation in nameCheck.violations { report("property name \(violation.message)") }
        path.removeLast()
    }

    private mutating func checkApplicators(_ node: SchemaNode, _ instance: JSONValue) {
        for schema in node.allOf { evaluate(schema, instance) }
        if let options = node.anyOf, !options.contains(where: { matches($0, instance) }) {
            report("must match at least one schema in anyOf")
        }
        if let options = node.oneOf {
            let matched = options.filter { matches($0, instance) }.count
            if matched != 1 { report("must match exactly one schema in oneOf (matched \(matched))") }
        }
        if let schema = node.not, matches(schema, instance) {
            report("must not match the schema in not")
        }
        if let condition = node.ifSchema {
            if matches(condition, instance) {
                if let schema = node.thenSchema { evaluate(schema, instance) }
            } else if let schema = node.elseSchema {
                evaluate(schema, instance)
            }
        }
    }

    // MARK: Results

    /// Violations ordered by location (see `JSONSchema.validate`).
    func sortedViolations() -> [SchemaViolation] {
        violations.enumerated()
            .sorted { lhs, rhs in
                if let ordered = Self.compare(lhs.element.path, rhs.element.path) { return ordered }
                return lhs.offset < rhs.offset
            }
            .map { SchemaViolation(path: Self.pointer($0.element.path), message: $0.element.message) }
    }

    /// `true`/`false` if the paths differ, `nil` if equal.
    private static func compare(_ lhs: [InstancePathToken], _ rhs: [InstancePathToken]) -> Bool? {
        for (left, right) in zip(lhs, rhs) where left != right {
            switch (left, right) {
            case (.index(let a), .index(let b)): return a < b
            case (.key(let a), .key(let b)): return a.utf8.lexicographicallyPrecedes(b.utf8)
            case (.index, .key): return true
            case (.key, .index): return false
            }
        }
        return lhs.count == rhs.count ? nil : lhs.count < rhs.count
    }

    private static func pointer(_ tokens: [InstancePathToken]) -> String {
        jsonPointer(tokens.map {
            switch $0 {
            case .key(let name): return name
            case .index(let position): return String(position)
            }
        })
    }

    private static func counted(_ count: Int, _ noun: String, plural: String? = nil) -> String {
        "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
    }

    /// "a", "a or b", "a, b or c".
    private static func listPhrase(_ items: [String], joiner: String) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " \(joiner) " + items.last!
    }
}
