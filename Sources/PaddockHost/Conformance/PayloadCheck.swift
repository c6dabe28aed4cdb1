import PaddockCore

/// One operation called with one case of payload: it must not crash, and every answer must follow
/// the error-document rule (a crash is caught by the parent process, not here).
enum PayloadCheck {
    static func run(_ instance: PluginInstance, _ kind: PluginKind, _ operation: String,
                    _ payloadCase: PayloadCase) -> ConformanceCheckResult {
        let name = ConformanceCheckName.payload(kind, operation, payloadCase)
        guard let function = instance.plugin.functions[kind]?[operation] else {
            return .fail(name, "\(kind.rawValue).\(operation) is not in the plugin's table")
        }
        let valid = ConformanceRequests.valid(kind, operation, plugin: instance.plugin.name)
        for (label, payload) in ConformanceRequests.payloads(payloadCase, valid: valid) {
            guard let answer = RawOperation.call(instance, function, payload) else {
                return .fail(name, "the instance was already destroyed")
            }
            if let problem = ErrorDocumentRule.problem(with: answer) {
                return .fail(name, "given \(label), it \(problem)")
            }
        }
        return .pass(name)
    }
}
