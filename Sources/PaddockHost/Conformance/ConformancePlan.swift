import PaddockCore
import PluginABI

/// The checks one plugin gets, in order, decided from its tables: which kinds it declares and which
/// operations it implements (a NULL operation is "not supported" by contract and is not called).
enum ConformancePlan {
    /// Checks that need no instance: the ones before `create`.
    static func loading(kinds: [PluginKind]) -> [String] {
        [ConformanceCheckName.negotiationAccepts, ConformanceCheckName.manifestAgrees, ConformanceCheckName.pluginTable]
            + kinds.map(ConformanceCheckName.table) + [ConformanceCheckName.create]
    }

    /// Everything, for a plugin whose tables loaded.
    static func full(_ plugin: NegotiatedPlugin) -> [String] {
        var checks = loading(kinds: plugin.kinds)
        for kind in plugin.kinds {
            let implemented = plugin.operations[kind] ?? []
            for operation in kind.operations where implemented.contains(operation) {
                checks += PayloadCase.allCases.map { ConformanceCheckName.payload(kind, operation, $0) }
            }
            for operation in ConformanceRequests.idempotentTeardowns(kind) where implemented.contains(operation) {
                checks.append(ConformanceCheckName.idempotentTeardown(kind, operation))
            }
        }
        return checks + [ConformanceCheckName.threadSafety, ConformanceCheckName.destroy]
    }

    /// Runs one check that needs the instance; nil for a name this plan does not know.
    static func run(_ check: String, on instance: PluginInstance) -> ConformanceCheckResult? {
        switch check {
        case ConformanceCheckName.threadSafety: return ThreadSafetyCheck.run(instance)
        case ConformanceCheckName.destroy:
            instance.destroy()
            return .pass(check)
        default: break
        }
        for kind in instance.plugin.kinds {
            for operation in kind.operations {
                for payloadCase in PayloadCase.allCases where check == ConformanceCheckName.payload(kind, operation, payloadCase) {
                    return PayloadCheck.run(instance, kind, operation, payloadCase)
                }
                if check == ConformanceCheckName.idempotentTeardown(kind, operation) {
                    return IdempotentTeardownCheck.run(instance, kind, operation)
                }
            }
        }
        return nil
    }
}
