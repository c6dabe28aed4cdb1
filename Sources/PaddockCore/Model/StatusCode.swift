import PluginABI

/// Names and error documents for `paddock_status` values.
public enum StatusCode {
    public static func name(_ status: Int32) -> String {
        switch status {
        case PADDOCK_OK: "OK"
        case PADDOCK_E_INCOMPATIBLE_VERSION: "INCOMPATIBLE_VERSION"
        case PADDOCK_E_UNSUPPORTED_FIELD: "UNSUPPORTED_FIELD"
        case PADDOCK_E_UNKNOWN_CONTAINER: "UNKNOWN_CONTAINER"
        case PADDOCK_E_INVALID_ENV: "INVALID_ENV"
        case PADDOCK_E_IO: "IO"
        case PADDOCK_E_DECODE: "DECODE"
        case PADDOCK_E_INVALID_CONFIG: "INVALID_CONFIG"
        case PADDOCK_E_TRY_AGAIN: "TRY_AGAIN"
        case PADDOCK_E_UNAVAILABLE: "UNAVAILABLE"
        case PADDOCK_E_NOT_SUPPORTED: "NOT_SUPPORTED"
        case PADDOCK_E_NOT_FOUND: "NOT_FOUND"
        case PADDOCK_E_EXISTS: "EXISTS"
        case PADDOCK_E_BUSY: "BUSY"
        case PADDOCK_E_CONFLICT: "CONFLICT"
        case PADDOCK_E_TIMEOUT: "TIMEOUT"
        case PADDOCK_E_INTERNAL: "INTERNAL"
        case PADDOCK_E_REFUSED: "REFUSED"
        default: "UNKNOWN"
        }
    }

    /// `{code, msg, details}` — CNI's error object, the contract's error document.
    public static func errorDocument(_ status: Int32, _ message: String, details: String = "") -> JSONValue {
        .object(["code": .number(Double(status)), "msg": .string(message), "details": .string(details)])
    }
}
