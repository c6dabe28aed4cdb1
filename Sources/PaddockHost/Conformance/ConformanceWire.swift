import PaddockCore

/// The lines a conformance child writes for its parent, one event each, on a descriptor of its
/// own (the plugin's stdout goes to stderr, so nothing the plugin prints can forge or split them).
enum ConformanceWire {
    static let marker = "PADDOCK-CONFORM "

    enum Event: Equatable {
        /// The checks this child will run (a later plan replaces an earlier one).
        case plan([String])
        /// A check started; if the process dies before its result, it is the culprit.
        case begin(String)
        case result(ConformanceCheckResult)
        /// The child's watchdog fired during `check` ("" outside any check).
        case timeout(check: String, seconds: Double)
        /// Re-loading the plugin in a respawned child failed; the checks left cannot run.
        case setupFailed(String)
    }

    static func encode(_ event: Event) -> String {
        let body: String
        switch event {
        case .plan(let checks): body = "plan " + JSONValue.array(checks.map { .string($0) }).serialized()
        case .begin(let check): body = "begin " + JSONValue.string(check).serialized()
        case .result(let result): body = "result " + result.json.serialized()
        case .timeout(let check, let seconds):
            body = "timeout " + JSONValue.object(["check": .string(check), "seconds": .number(seconds)]).serialized()
        case .setupFailed(let why): body = "setup-failed " + JSONValue.string(why).serialized()
        }
        return marker + body + "\n"
    }

    static func decode(_ line: Substring) -> Event? {
        guard line.hasPrefix(marker) else { return nil }
        let rest = line.dropFirst(marker.count)
        guard let space = rest.firstIndex(of: " ") else { return nil }
        let kind = rest[..<space]
        guard let value = try? JSONValue(parsing: String(rest[rest.index(after: space)...])) else { return nil }
        switch kind {
        case "plan": return value.arrayValue.map { .plan($0.compactMap(\.stringValue)) }
        case "begin": return value.stringValue.map { .begin($0) }
        case "result": return ConformanceCheckResult(json: value).map { .result($0) }
        case "timeout":
            return .timeout(check: value["check"]?.stringValue ?? "", seconds: value["seconds"]?.doubleValue ?? 0)
        case "setup-failed": return value.stringValue.map { .setupFailed($0) }
        default: return nil
        }
    }

    static func events(in output: [UInt8]) -> [Event] {
        String(decoding: output, as: UTF8.self).split(separator: "\n").compactMap(decode)
    }
}
