/// The `format` values that are asserted; any other format is ignored.
enum StringFormat: String, Sendable {
    case ipv4, ipv6, cidr, hostname, uri

    /// Completes "must be …" in a violation message.
    var expectation: String {
        switch self {
        case .ipv4: return "a valid IPv4 address"
        case .ipv6: return "a valid IPv6 address"
        case .cidr: return "a valid CIDR block (address/prefix length)"
        case .hostname: return "a valid hostname"
        case .uri: return "a valid URI with a scheme"
        }
    }

    func accepts(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        switch self {
        case .ipv4: return Self.isIPv4(bytes[...])
        case .ipv6: return Self.isIPv6(bytes[...])
        case .cidr: return Self.isCIDR(bytes)
        case .hostname: return Self.isHostname(bytes)
        case .uri: return Self.isURI(bytes)
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66)
    }

    /// Plain decimal without leading zeros, at most `limit`.
    private static func decimal(_ digits: ArraySlice<UInt8>, atMost limit: Int) -> Bool {
        guard (1...3).contains(digits.count), digits.allSatisfy(isDigit),
            digits.count == 1 || digits.first != 0x30
        else { return false }
        return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) } <= limit
    }

    /// Dotted quad, each part 0-255 without leading zeros.
    static func isIPv4(_ bytes: ArraySlice<UInt8>) -> Bool {
        let parts = bytes.split(separator: 0x2E, omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { decimal($0, atMost: 255) }
    }

    /// RFC 4291 text form: eight 1-4 digit hex groups, at most one "::", and
    /// optionally a trailing dotted quad. Zone identifiers are not accepted.
    static func isIPv6(_ bytes: ArraySlice<UInt8>) -> Bool {
        let colon: UInt8 = 0x3A
        var compression: Int? = nil
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            if bytes[index] == colon && bytes[index + 1] == colon {
                if compression != nil { return false }
                compression = index
                index += 2
            } else {
                index += 1
            }
        }
        func groupCount(_ part: ArraySlice<UInt8>, allowsIPv4Tail: Bool) -> Int? {
            if part.isEmpty { return 0 }
            let groups = part.split(separator: colon, omittingEmptySubsequences: false)
            var count = 0
            for (position, group) in groups.enumerated() {
                if allowsIPv4Tail && position == groups.count - 1 && group.contains(0x2E) {
                    guard isIPv4(group) else { return nil }
                    count += 2
                } else {
                    guard (1...4).contains(group.count), group.allSatisfy(isHexDigit) else { return nil }
                    count += 1
                }
            }
            return count
        }
        guard let compression else {
            return groupCount(bytes, allowsIPv4Tail: true) == 8
        }
        guard let head = groupCount(bytes[..<compression], allowsIPv4Tail: false),
            let tail = groupCount(bytes[(compression + 2)...], allowsIPv4Tail: true)
        else { return false }
        return head + tail <= 7
    }

    /// An IPv4 or IPv6 address, "/", and a prefix length valid for it.
    static func isCIDR(_ bytes: [UInt8]) -> Bool {
        guard let slash = bytes.lastIndex(of: 0x2F) else { return false }
        let address = bytes[..<slash]
        let prefix = bytes[(slash + 1)...]
        if isIPv4(address) { return decimal(prefix, atMost: 32) }
        if isIPv6(address) { return decimal(prefix, atMost: 128) }
        return false
    }

    /// RFC 1123: dot-separated labels of 1-63 letters, digits and hyphens,
    /// not starting or ending with a hyphen; at most 253 characters.
    static func isHostname(_ bytes: [UInt8]) -> Bool {
        guard (1...253).contains(bytes.count) else { return false }
        return bytes.split(separator: 0x2E, omittingEmptySubsequences: false).allSatisfy { label in
            (1...63).contains(label.count) && label.first != 0x2D && label.last != 0x2D
                && label.allSatisfy { isLetter($0) || isDigit($0) || $0 == 0x2D }
        }
    }

    /// An RFC 3986 scheme followed by ':' and characters allowed in a URI,
    /// with every '%' starting a two-digit escape.
    static func isURI(_ bytes: [UInt8]) -> Bool {
        guard let colon = bytes.firstIndex(of: 0x3A), colon > 0, isLetter(bytes[0]),
            bytes[1..<colon].allSatisfy({ isLetter($0) || isDigit($0) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E })
        else { return false }
        let forbidden = Set("\"<>\\^`{|} ".utf8)
        var index = colon + 1
        while index < bytes.count {
            let byte = bytes[index]
            guard byte > 0x20 && byte < 0x7F && !forbidden.contains(byte) else { return false }
            if byte == 0x25 {
                guard index + 2 < bytes.count, isHexDigit(bytes[index + 1]), isHexDigit(bytes[index + 2]) else {
                    return false
                }
                index += 3
            } else {
                index += 1
            }
        }
        return true
    }
}
