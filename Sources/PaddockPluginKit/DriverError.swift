import PluginABI

/// An error a driver returns; becomes the status and the `{code, msg, details}` document.
public struct DriverError: Error, Sendable, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var details: String

    public init(code: Int32, _ message: String, details: String = "") {
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { details.isEmpty ? message : "\(message) (\(details))" }

    public static func invalidConfig(_ message: String, details: String = "") -> DriverError {
        DriverError(code: PADDOCK_E_INVALID_CONFIG, message, details: details)
    }
    public static func decode(_ message: String, details: String = "") -> DriverError {
        DriverError(code: PADDOCK_E_DECODE, message, details: details)
    }
    public static func notSupported(_ operation: String) -> DriverError {
        DriverError(code: PADDOCK_E_NOT_SUPPORTED, "\(operation) is not supported by this driver")
    }
    public static func notFound(_ message: String) -> DriverError {
        DriverError(code: PADDOCK_E_NOT_FOUND, message)
    }
    public static func io(_ message: String, details: String = "") -> DriverError {
        DriverError(code: PADDOCK_E_IO, message, details: details)
    }
    public static func internalError(_ message: String) -> DriverError {
        DriverError(code: PADDOCK_E_INTERNAL, message)
    }

    var document: JSONValue {
        .object(["code": .number(Double(code)), "msg": .string(message), "details": .string(details)])
    }
}
