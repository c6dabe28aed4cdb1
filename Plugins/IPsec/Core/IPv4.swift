/// An IPv4 address as a 32-bit number; parses dotted quads strictly (no leading zeros, no spaces).
public struct IPv4: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }), let octet = UInt8(part),
                  !(part.count > 1 && part.first == "0") else { return nil }
            value = value << 8 | UInt32(octet)
        }
        self.value = value
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }

    public static func < (a: IPv4, b: IPv4) -> Bool { a.value < b.value }
}

/// An IPv4 subnet such as 198.19.3.0/24 (the network address is normalized).
public struct IPv4Subnet: Hashable, Sendable, CustomStringConvertible {
    public var network: IPv4
    public var prefix: Int

    public init(network: IPv4, prefix: Int) {
        self.prefix = prefix
        self.network = IPv4(network.value & Self.mask(prefix))
    }

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4(String(parts[0])), parts[1].allSatisfy(\.isNumber),
              let prefix = Int(parts[1]), (1...30).contains(prefix) else { return nil }
        self.init(network: address, prefix: prefix)
    }

    static func mask(_ prefix: Int) -> UInt32 { prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefix) }

    public var mask: UInt32 { Self.mask(prefix) }
    public var broadcast: IPv4 { IPv4(network.value | ~mask) }
    public var description: String { "\(network)/\(prefix)" }

    public func contains(_ address: IPv4) -> Bool { address.value & mask == network.value }
    public func contains(_ other: IPv4Subnet) -> Bool { other.prefix >= prefix && contains(other.network) }
    public func overlaps(_ other: IPv4Subnet) -> Bool { contains(other.network) || other.contains(network) }
}
