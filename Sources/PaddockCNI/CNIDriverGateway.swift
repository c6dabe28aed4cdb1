import PaddockJSON

/// What the adapter needs from the host: one network-driver operation by plugin name. The
/// `paddock` CNI binary implements it with the host's in-process loader; unit tests with a table.
public protocol CNIDriverGateway {
    /// Calls `operation` of the network driver `driver` with `request`; answers the contract's
    /// status (0 or a CNI/Paddock code) and the result or error document. Throws when the driver
    /// cannot be reached at all (unknown, disabled, not a network driver, refused to load).
    func call(driver: String, operation: String, request: JSONValue) throws(CNIError) -> (status: Int32, body: JSONValue)

    /// ADD's guard: throws when `interface` already exists in the namespace at `netns` (SPEC: ADD
    /// on an existing interface MUST fail) or the namespace cannot be opened.
    func checkInterfaceAbsent(netns: String, interface: String) throws(CNIError)
}

/// The contract's "not supported" status (`PADDOCK_E_NOT_SUPPORTED`).
let notSupportedStatus: Int32 = 100
