import PaddockCore
import PluginABI

/// Where the contract demands it, tearing down something that is not there succeeds: network del
/// (CNI: DEL must succeed when the attachment is gone), lb remove, storage remove / unmount /
/// detach, orchestrator remove. Each is called twice; both answers must be PADDOCK_OK.
enum IdempotentTeardownCheck {
    static func run(_ instance: PluginInstance, _ kind: PluginKind, _ operation: String) -> ConformanceCheckResult {
        let name = ConformanceCheckName.idempotentTeardown(kind, operation)
        let plugin = instance.plugin
        guard let function = plugin.functions[kind]?[operation] else {
            return .fail(name, "\(kind.rawValue).\(operation) is not in the plugin's table")
        }
        let request = Array(ConformanceRequests.absentTeardown(kind, operation, plugin: plugin.name).serialized().utf8)
        var subjects = ["something that does not exist", "something that does not exist"]
        // A network attachment is first made (if the driver can), so the second del meets a gone one.
        if kind == .network, operation == "del", let add = plugin.functions[.network]?["add"] {
            _ = RawOperation.call(instance, add, .bytes(request))
            subjects = ["an attachment", "an attachment that is already gone"]
        }
        for (attempt, subject) in zip(["first", "second"], subjects) {
            guard let answer = RawOperation.call(instance, function, .bytes(request)) else {
                return .fail(name, "the instance was already destroyed")
            }
            if let problem = ErrorDocumentRule.problem(with: answer) {
                return .fail(name, "the \(attempt) \(operation) \(problem)")
            }
            guard answer.status == PADDOCK_OK else {
                return .fail(name, "the \(attempt) \(operation) answered \(answer.summary); \(kind.rawValue).\(operation) of \(subject) must return PADDOCK_OK (docs/abi.md §7)")
            }
        }
        return .pass(name)
    }
}
