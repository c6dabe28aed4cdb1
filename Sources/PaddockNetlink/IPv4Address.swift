/// An IPv4 address as a host-order integer; parsing accepts dotted quads only.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let octet = UInt32(part), octet <= 255 else { return nil }
            value = value << 8 | octet
        }
        self.value = value
    }

    /// From 4 network-order bytes.
    init?(bytes: ArraySlice<UInt8>) {
        guard bytes.count == 4 else { return nil }
        let b = Array(bytes)
        value = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
    }

    /// The 4 bytes in network order.
    public var bytes: [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }

    public var description: String { bytes.map(String.init).joined(separator: ".") }

    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.value < b.value }
}

/// An IPv4 prefix (`198.18.0.0/15`); the address is masked to the network on creation.
public struct IPv4Network: Hashable, Sendable, CustomStringConvertible {
    public let network: IPv4Address
    public let prefix: Int

    public init?(_ address: IPv4Address, prefix: Int) {
        guard (0...32).contains(prefix) else { return nil }
        self.prefix = prefix
        network = IPv4Address(address.value & Self.mask(prefix))
    }

    /// Parses `A.B.C.D/N`; a host address with bits beyond the prefix is refused unless `strict` is false.
    public init?(_ text: String, strict: Bool = true) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(String(parts[0])),
              parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), !parts[1].isEmpty, parts[1].count <= 2,
              let prefix = Int(parts[1]), (0...32).contains(prefix) else { return nil }
        if strict && address.value & ~Self.mask(prefix) != 0 { return nil }
        self.init(address, prefix: prefix)
    }

    static func mask(_ prefix: Int) -> UInt32 { prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefix) }

    public var mask: UInt32 { Self.mask(prefix) }
    public var size: UInt64 { UInt64(1) << UInt64(32 - prefix) }
    public var last: IPv4Address { IPv4Address(network.value | ~mask) }

    public func contains(_ address: IPv4Address) -> Bool { address.value & mask == network.value }

    public func overlaps(_ other: IPv4Network) -> Bool { contains(other.network) || other.contains(network) }

    /// The `index`th address of the network (0 is the network address).
    public func address(_ index: UInt32) -> IPv4Address { IPv4Address(network.value &+ index) }

    public var description: String { "\(network)/\(prefix)" }
}
