/// An IPv4 address as a 32-bit number.
struct IPv4: Comparable, Hashable, CustomStringConvertible {
    var value: UInt32

    init(_ value: UInt32) { self.value = value }

    init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let octet = UInt8(part),
                  !(part.count > 1 && part.first == "0") else { return nil }
            value = value << 8 | UInt32(octet)
        }
        self.value = value
    }

    var description: String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }

    static func < (a: IPv4, b: IPv4) -> Bool { a.value < b.value }
}

/// An IPv4 subnet, e.g. 198.18.5.0/24.
struct IPv4Subnet {
    var network: IPv4
    var prefix: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let address = IPv4(String(parts[0])), let prefix = Int(parts[1]),
              (8...30).contains(prefix) else { return nil }
        let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << (32 - prefix)
        network = IPv4(address.value & mask)
        self.prefix = prefix
    }

    var mask: UInt32 { ~UInt32(0) << (32 - prefix) }
    var broadcast: IPv4 { IPv4(network.value | ~mask) }
    var firstHost: IPv4 { IPv4(network.value + 1) }
    var lastHost: IPv4 { IPv4(broadcast.value - 1) }

    func contains(_ address: IPv4) -> Bool { address.value & mask == network.value }
}
