import PaddockNetlink

/// An attach, IPAM or peer error with the CNI status code a driver returns for it.
public struct NetworkError: Error, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let unknownContainer = Code(rawValue: 3)
        public static let invalidEnvironment = Code(rawValue: 4)
        public static let io = Code(rawValue: 5)
        public static let decode = Code(rawValue: 6)
        public static let invalidConfig = Code(rawValue: 7)
        public static let tryAgain = Code(rawValue: 11)
        /// Paddock's "exists" (PADDOCK_E_EXISTS): the interface is already in the container.
        public static let exists = Code(rawValue: 102)
        /// Paddock's "conflict" (PADDOCK_E_CONFLICT): overlapping subnets, clashing blocks.
        public static let conflict = Code(rawValue: 104)
    }

    public var code: Code
    public var message: String
    public var details: String

    public init(_ code: Code, _ message: String, details: String = "") {
        self.code = code
        self.message = message
        self.details = details
    }

    /// A kernel failure during `what`, as an I/O error that keeps the errno text.
    public init(_ what: String, _ error: NetlinkError) {
        self.init(.io, "\(what): \(error)")
    }

    public var description: String { details.isEmpty ? message : "\(message) (\(details))" }
}
