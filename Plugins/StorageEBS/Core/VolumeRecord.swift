import Foundation

/// What the driver remembers about one volume, as JSON under `volume/<name>` in its KV store.
public struct VolumeRecord: Codable, Sendable, Equatable {
    public var name: String
    public var volumeID: String
    public var options: VolumeOptions
    /// Only volumes the driver created are deleted from EC2 on remove; a `volumeID` one is forgotten.
    public var createdByDriver: Bool
    /// The AttachVolume name (`/dev/sdf`) while attached to this host.
    public var attachDevice: String?
    /// The block device this host sees for it (the hook's answer, or found by the naming rules).
    public var blockDevice: String?
    public var mountpoint: String?
    /// The callers' IDs holding the mount (Docker's mount ID, FlexVolume's target directory).
    public var mountIDs: [String]

    public init(name: String, volumeID: String, options: VolumeOptions, createdByDriver: Bool,
                attachDevice: String? = nil, blockDevice: String? = nil, mountpoint: String? = nil, mountIDs: [String] = []) {
        self.name = name
        self.volumeID = volumeID
        self.options = options
        self.createdByDriver = createdByDriver
        self.attachDevice = attachDevice
        self.blockDevice = blockDevice
        self.mountpoint = mountpoint
        self.mountIDs = mountIDs
    }

    public static func key(_ name: VolumeName) -> String { "volume/\(name.value)" }
    public static let keyPrefix = "volume/"

    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array((try? encoder.encode(self)) ?? Data())
    }

    public static func decode(_ bytes: [UInt8], key: String) throws(EBSInputError) -> VolumeRecord {
        do {
            return try JSONDecoder().decode(VolumeRecord.self, from: Data(bytes))
        } catch {
            let mentioned = salvageVolumeID(bytes).map { " (the record mentions \($0))" } ?? ""
            throw EBSInputError("the record \(key) in the driver's store is corrupt (\(Self.reason(error))); remove the volume to forget the record (EC2 is not touched), then create it again with volumeID=vol-…\(mentioned) to adopt the EBS volume")
        }
    }

    /// A volume ID found in a damaged record, so the operator can adopt the volume again.
    static func salvageVolumeID(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let start = text.range(of: "vol-") else { return nil }
        let digits = text[start.upperBound...].prefix { $0.isHexDigit && $0.isASCII }
        return digits.isEmpty ? nil : "vol-" + digits
    }

    private static func reason(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted: return "not valid JSON"
        case DecodingError.keyNotFound(let key, _): return "missing \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context): return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "cannot decode"
        }
    }
}
