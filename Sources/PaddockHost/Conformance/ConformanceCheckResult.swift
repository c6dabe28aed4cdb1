import PaddockCore

/// The outcome of one conformance check: its name, whether it passed, and why not.
public struct ConformanceCheckResult: Sendable, Equatable {
    public var check: String
    public var passed: Bool
    /// Empty when it passed; otherwise what went wrong and what to change.
    public var why: String

    public init(check: String, passed: Bool, why: String = "") {
        self.check = check
        self.passed = passed
        self.why = why
    }

    public static func pass(_ check: String) -> ConformanceCheckResult {
        ConformanceCheckResult(check: check, passed: true)
    }

    public static func fail(_ check: String, _ why: String) -> ConformanceCheckResult {
        ConformanceCheckResult(check: check, passed: false, why: why)
    }

    /// `ok  <check>` or `FAIL <check>: <why>`.
    public var line: String { passed ? "ok  \(check)" : "FAIL \(check): \(why)" }

    public var json: JSONValue {
        .object(["check": .string(check), "ok": .bool(passed), "why": .string(why)])
    }

    init?(json: JSONValue) {
        guard let check = json["check"]?.stringValue, let passed = json["ok"]?.boolValue else { return nil }
        self.init(check: check, passed: passed, why: json["why"]?.stringValue ?? "")
    }
}
