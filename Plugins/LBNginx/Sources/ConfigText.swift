/// An nginx config being written, one line at a time, remembering which part of the request each
/// line came from so that `nginx -t`'s "in FILE:LINE" can be told back as the offending rule.
struct ConfigText {
    private(set) var lines: [String] = []
    private(set) var origins: [String?] = []
    private var depth = 0

    mutating func line(_ text: String, _ origin: String? = nil, extraIndent: Int = 0) {
        lines.append(String(repeating: "    ", count: depth + extraIndent) + text)
        origins.append(origin)
    }

    mutating func open(_ header: String, _ origin: String? = nil) {
        line("\(header) {", origin)
        depth += 1
    }

    mutating func close() {
        depth -= 1
        line("}")
    }

    mutating func blank() {
        lines.append("")
        origins.append(nil)
    }

    var text: String { lines.joined(separator: "\n") + "\n" }

    /// What produced line `number` (1-based, as nginx counts).
    func origin(ofLine number: Int) -> String? {
        guard number >= 1, number <= origins.count else { return nil }
        return origins[number - 1]
    }
}

/// A directive the driver writes by default, and the directive names that replace it when the
/// custom config of the same section sets them.
struct Directive {
    var text: String
    var keys: Set<String>
    var origin: String?

    init(_ text: String, replacedBy keys: [String]? = nil, origin: String? = nil) {
        self.text = text
        self.keys = Set(keys ?? [CustomConfig.key(of: text)].compactMap { $0 })
        self.origin = origin
    }
}
