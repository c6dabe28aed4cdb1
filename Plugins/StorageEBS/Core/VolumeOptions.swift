import PaddockJSON

/// The per-volume options of rancher-ebs: either an existing `volumeID`, or what CreateVolume
/// needs (`size` in GiB unless a `snapshotID` gives it, `volumeType`, `iops`, `encrypted`,
/// `kmsKeyId`). Values arrive as strings from Docker and FlexVolume, or as JSON numbers/booleans.
public struct VolumeOptions: Sendable, Equatable, Codable {
    public var sizeGiB: Int?
    public var volumeType: String?
    public var iops: Int?
    public var encrypted: Bool
    public var kmsKeyID: String?
    public var snapshotID: String?
    public var volumeID: String?

    public init(sizeGiB: Int? = nil, volumeType: String? = nil, iops: Int? = nil, encrypted: Bool = false,
                kmsKeyID: String? = nil, snapshotID: String? = nil, volumeID: String? = nil) {
        self.sizeGiB = sizeGiB
        self.volumeType = volumeType
        self.iops = iops
        self.encrypted = encrypted
        self.kmsKeyID = kmsKeyID
        self.snapshotID = snapshotID
        self.volumeID = volumeID
    }

    public static let known = ["size", "volumeType", "iops", "encrypted", "kmsKeyId", "snapshotID", "volumeID"]
    public static let volumeTypes = ["standard", "gp2", "gp3", "io1", "io2", "st1", "sc1"]
    /// Options kubelet adds to every FlexVolume call; they describe the pod, not the volume.
    public static let ignoredPrefix = "kubernetes.io/"

    public init(parsing options: JSONValue?) throws(EBSInputError) {
        let fields: [String: JSONValue]
        switch options {
        case nil, .null?: fields = [:]
        case .object(let object)?: fields = object
        case let other?: throw EBSInputError("options must be an object of strings, not \(other.typeName)")
        }
        let unknown = fields.keys.filter { !Self.known.contains($0) && !$0.hasPrefix(Self.ignoredPrefix) }.sorted()
        guard unknown.isEmpty else {
            throw EBSInputError("unknown option\(unknown.count == 1 ? "" : "s") \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")); the EBS driver knows \(Self.known.joined(separator: ", "))")
        }
        func text(_ key: String) throws(EBSInputError) -> String? {
            switch fields[key] {
            case nil, .null?: return nil
            case .string(let s)?: return s.isEmpty ? nil : s
            case .number(let n)?: return JSONValue.formatNumber(n)
            case .bool(let b)?: return b ? "true" : "false"
            case let other?: throw EBSInputError("option \(key) must be a string, not \(other.typeName)")
            }
        }
        func count(_ key: String, _ range: ClosedRange<Int>, _ unit: String) throws(EBSInputError) -> Int? {
            guard let raw = try text(key) else { return nil }
            guard raw.allSatisfy(\.isASCII), let value = Int(raw), range.contains(value) else {
                throw EBSInputError("option \(key) \"\(raw)\" is not a number of \(unit) between \(range.lowerBound) and \(range.upperBound), e.g. \(key)=\(range.lowerBound * 10)")
            }
            return value
        }
        sizeGiB = try count("size", 1...65536, "GiB")
        iops = try count("iops", 100...256000, "IOPS")
        volumeType = try text("volumeType")
        if let type = volumeType, !Self.volumeTypes.contains(type) {
            throw EBSInputError("option volumeType \"\(type)\" is not an EBS volume type; use one of \(Self.volumeTypes.joined(separator: ", "))")
        }
        switch try text("encrypted")?.lowercased() {
        case nil, "false": encrypted = false
        case "true": encrypted = true
        case let other?: throw EBSInputError("option encrypted \"\(other)\" is not true or false")
        }
        kmsKeyID = try text("kmsKeyId")
        snapshotID = try text("snapshotID")
        volumeID = try text("volumeID")
        try check()
    }

    private func check() throws(EBSInputError) {
        if let volumeID {
            guard Self.isResourceID(volumeID, prefix: "vol-") else {
                throw EBSInputError("option volumeID \"\(volumeID)\" is not an EBS volume ID (vol- followed by hex digits)")
            }
            let provisioning = [sizeGiB != nil ? "size" : nil, volumeType != nil ? "volumeType" : nil, iops != nil ? "iops" : nil,
                                encrypted ? "encrypted" : nil, kmsKeyID != nil ? "kmsKeyId" : nil,
                                snapshotID != nil ? "snapshotID" : nil].compactMap { $0 }
            guard provisioning.isEmpty else {
                throw EBSInputError("option volumeID names an existing volume; drop \(provisioning.joined(separator: ", ")), which only apply when the driver creates the volume")
            }
            return
        }
        if let snapshotID, !Self.isResourceID(snapshotID, prefix: "snap-") {
            throw EBSInputError("option snapshotID \"\(snapshotID)\" is not an EBS snapshot ID (snap- followed by hex digits)")
        }
        guard sizeGiB != nil || snapshotID != nil else {
            throw EBSInputError("option size is required (GiB, e.g. size=10) unless snapshotID or volumeID is given")
        }
        if let iops {
            guard let type = volumeType, ["io1", "io2", "gp3"].contains(type) else {
                throw EBSInputError("option iops (\(iops)) needs volumeType io1, io2 or gp3")
            }
        } else if let type = volumeType, ["io1", "io2"].contains(type) {
            throw EBSInputError("volumeType \(type) needs iops (e.g. iops=1000)")
        }
        if kmsKeyID != nil && !encrypted {
            throw EBSInputError("option kmsKeyId needs encrypted=true")
        }
    }

    static func isResourceID(_ text: String, prefix: String) -> Bool {
        guard text.hasPrefix(prefix) else { return false }
        let rest = text.dropFirst(prefix.count)
        return (1...32).contains(rest.count) && rest.allSatisfy { $0.isHexDigit && $0.isASCII }
    }

    /// The options as rancher-ebs names them, for records and `get`.
    public var json: JSONValue {
        var out: [String: JSONValue] = [:]
        if let sizeGiB { out["size"] = .string(String(sizeGiB)) }
        if let volumeType { out["volumeType"] = .string(volumeType) }
        if let iops { out["iops"] = .string(String(iops)) }
        if encrypted { out["encrypted"] = "true" }
        if let kmsKeyID { out["kmsKeyId"] = .string(kmsKeyID) }
        if let snapshotID { out["snapshotID"] = .string(snapshotID) }
        if let volumeID { out["volumeID"] = .string(volumeID) }
        return .object(out)
    }
}
