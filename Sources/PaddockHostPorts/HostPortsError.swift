/// A host-port or host-NAT failure: what failed, where, and what to do about it.
public struct HostPortsError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable {
        let name: String
        /// A mapping string or CNI entry that does not parse.
        public static let invalidMapping = Code(name: "invalid mapping")
        /// Two containers claim the same host address, port and protocol.
        public static let conflict = Code(name: "conflict")
        /// nft, iptables or conntrack failed or is missing.
        public static let command = Code(name: "command")
        /// The driver's record store failed or holds something unreadable.
        public static let store = Code(name: "store")
        /// Settings that cannot work (no subnet, a bad table name).
        public static let invalidSettings = Code(name: "invalid settings")
    }

    public var code: Code
    public var message: String
    public var hint: String

    public init(_ code: Code, _ message: String, hint: String = "") {
        self.code = code
        self.message = message
        self.hint = hint
    }

    public var description: String { hint.isEmpty ? message : "\(message); \(hint)" }
}
