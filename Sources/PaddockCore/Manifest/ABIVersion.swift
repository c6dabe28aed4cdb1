import PluginABI

/// An ABI version, `(major << 16) | minor` in C; "MAJOR.MINOR" in manifests and output.
public struct ABIVersion: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public var major: UInt16
    public var minor: UInt16

    public init(major: UInt16, minor: UInt16) {
        self.major = major
        self.minor = minor
    }

    public init(raw: UInt32) {
        self.init(major: UInt16(truncatingIfNeeded: raw >> 16), minor: UInt16(truncatingIfNeeded: raw))
    }

    /// Parses "1.0"; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let major = UInt16(parts[0]), let minor = UInt16(parts[1]),
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) }) else { return nil }
        self.init(major: major, minor: minor)
    }

    public var raw: UInt32 { UInt32(major) << 16 | UInt32(minor) }
    public var description: String { "\(major).\(minor)" }

    public static func < (a: ABIVersion, b: ABIVersion) -> Bool { a.raw < b.raw }

    /// What this host speaks: from the header's CURRENT and MIN_SUPPORTED macros.
    public static let hostCurrent = ABIVersion(major: 1, minor: 0)
    public static let hostMinimum = ABIVersion(major: 1, minor: 0)

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let version = ABIVersion(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not MAJOR.MINOR: \(text)"))
        }
        self = version
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
