import PaddockCore

/// Everything one `paddock plugin test` run found, in the order the checks ran.
public struct ConformanceReport: Sendable {
    public var plugin: String
    public var path: String
    public var results: [ConformanceCheckResult]

    public init(plugin: String, path: String, results: [ConformanceCheckResult]) {
        self.plugin = plugin
        self.path = path
        self.results = results
    }

    public var passedCount: Int { results.filter(\.passed).count }
    public var failedCount: Int { results.count - passedCount }
    public var allPassed: Bool { failedCount == 0 }

    /// The last line of the text output; scripts may parse it.
    public var summary: String { "\(passedCount) passed, \(failedCount) failed" }

    /// One line per check, then the summary.
    public var text: String { (results.map(\.line) + [summary]).joined(separator: "\n") }

    public var json: JSONValue {
        .object([
            "plugin": .string(plugin),
            "path": .string(path),
            "checks": .array(results.map(\.json)),
            "passed": .number(Double(passedCount)),
            "failed": .number(Double(failedCount)),
        ])
    }
}
