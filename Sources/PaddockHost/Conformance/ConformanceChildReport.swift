/// What one conformance child said before it ended, read from its wire events.
struct ConformanceChildReport {
    /// The child's latest plan (empty if it died before announcing one).
    var plan: [String] = []
    /// The check that had begun without a result: the culprit if the child died.
    var current: String?
    var results: [ConformanceCheckResult] = []
    var hung: (check: String, seconds: Double)?
    var setupFailure: String?

    init(_ events: [ConformanceWire.Event]) {
        for event in events {
            switch event {
            case .plan(let checks): plan = checks
            case .begin(let check): current = check
            case .result(let result):
                results.append(result)
                if current == result.check { current = nil }
            case .timeout(let check, let seconds): hung = (check, seconds)
            case .setupFailed(let why): setupFailure = why
            }
        }
        // Died while loading, before it could say what it would run.
        if plan.isEmpty, let current { plan = [current] }
    }
}
