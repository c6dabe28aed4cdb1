import PaddockCore
import PluginABI

/// The two negotiation checks: the host's real range is accepted, and a range the plugin cannot
/// speak is refused with a reason instead of a crash or a false "OK".
enum NegotiationChecks {
    /// A range no 1.x plugin speaks.
    static let impossible = ABIVersion(major: 2, minor: 0)

    static func accepts(_ call: NegotiationCall) -> ConformanceCheckResult {
        let name = ConformanceCheckName.negotiationAccepts
        let range = "\(ABIVersion.hostMinimum)–\(ABIVersion.hostCurrent)"
        guard call.status == PADDOCK_OK else {
            let why = call.reason.isEmpty ? "no reason given" : call.reason
            return .fail(name, "refused the host's ABI range \(range) with status \(call.status) (\(StatusCode.name(call.status))): \(why)")
        }
        guard call.table != nil else {
            return .fail(name, "returned PADDOCK_OK but left negotiation->plugin NULL; point it at the static paddock_plugin table")
        }
        guard call.chosen >= ABIVersion.hostMinimum, call.chosen <= ABIVersion.hostCurrent else {
            return .fail(name, "chose ABI \(call.chosen), outside the host's range \(range); store the highest version you speak within [host_min_abi, host_max_abi] in negotiation->abi")
        }
        return .pass(name)
    }

    static func refuses(_ call: NegotiationCall) -> ConformanceCheckResult {
        let name = ConformanceCheckName.negotiationRefuses
        let range = "\(impossible)–\(impossible)"
        if call.status == PADDOCK_OK {
            return .fail(name, "accepted the host range \(range) (chose ABI \(call.chosen)) although it was built for ABI \(ABIVersion.hostCurrent.major).x; compare PADDOCK_VERSION_MAJOR of host_min_abi/host_max_abi and return PADDOCK_E_INCOMPATIBLE_VERSION with a reason")
        }
        guard call.status == PADDOCK_E_INCOMPATIBLE_VERSION || call.status == PADDOCK_E_REFUSED else {
            return .fail(name, "answered the host range \(range) with status \(call.status) (\(StatusCode.name(call.status))); refuse with PADDOCK_E_INCOMPATIBLE_VERSION (1) or PADDOCK_E_REFUSED (107)")
        }
        guard call.reasonTerminated else {
            return .fail(name, "wrote a reason without a terminating NUL into negotiation->reason; keep it under \(PADDOCK_REASON_MAX) bytes including the NUL (snprintf does)")
        }
        guard !call.reason.allSatisfy(\.isWhitespace) else {
            return .fail(name, "refused the host range \(range) without a reason; write one into negotiation->reason (the host shows it in `plugin list`)")
        }
        return .pass(name)
    }
}
