import PaddockJSON

/// A CNI error object (SPEC "Error"): printed on stdout with a non-zero exit status.
public struct CNIError: Error, Equatable, Sendable {
    /// The spec's well-known codes (0–99); 100 and above are plugin-defined (Paddock's status codes).
    public struct Code: RawRepresentable, Equatable, Hashable, Sendable {
        public var rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        public static let incompatibleVersion = Code(rawValue: 1)
        public static let unsupportedField = Code(rawValue: 2)
        public static let unknownContainer = Code(rawValue: 3)
        public static let invalidEnvironment = Code(rawValue: 4)
        public static let io = Code(rawValue: 5)
        public static let decode = Code(rawValue: 6)
        public static let invalidConfig = Code(rawValue: 7)
        public static let tryAgainLater = Code(rawValue: 11)
        /// STATUS: the plugin is not available (no new ADDs).
        public static let notAvailable = Code(rawValue: 50)
        /// STATUS: not available, and existing containers are affected.
        public static let notAvailableContainersAffected = Code(rawValue: 51)
        /// Paddock's "internal": the driver answered something that is not a CNI result.
        public static let internalError = Code(rawValue: 106)
    }

    public var code: Code
    public var message: String
    public var details: String

    public init(_ code: Code, _ message: String, details: String = "") {
        self.code = code
        self.message = message
        self.details = details
    }

    /// The JSON the runtime reads: `{cniVersion, code, msg, details}`.
    public func document(cniVersion: String) -> JSONValue {
        var object: [String: JSONValue] = [
            "cniVersion": .string(cniVersion), "code": .number(Double(code.rawValue)), "msg": .string(message),
        ]
        if !details.isEmpty { object["details"] = .string(details) }
        return .object(object)
    }
}
