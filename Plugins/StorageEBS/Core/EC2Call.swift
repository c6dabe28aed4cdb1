/// One EC2 Query API call: `Action`, `Version` and flat parameters, sent as a form-encoded POST
/// body. Lists are numbered from 1 (`VolumeId.1`, `Filter.1.Value.1`), as the Query protocol says.
public struct EC2Call: Sendable, Equatable {
    public static let apiVersion = "2016-11-15"

    public var action: String
    public var parameters: [(String, String)]

    public init(action: String, parameters: [(String, String)] = []) {
        self.action = action
        self.parameters = parameters
    }

    public static func == (a: EC2Call, b: EC2Call) -> Bool {
        a.action == b.action && a.parameters.elementsEqual(b.parameters, by: { $0 == $1 })
    }

    /// `application/x-www-form-urlencoded` body: Action and Version first, then the parameters
    /// in the order given, every key and value percent-encoded (RFC 3986 unreserved kept).
    public var formBody: String {
        ([("Action", action), ("Version", Self.apiVersion)] + parameters)
            .map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }
            .joined(separator: "&")
    }

    /// Parameters safe to log: every value is an ID, a size or a name we chose — never a secret.
    public var summary: String {
        ([action] + parameters.filter { !$0.0.hasPrefix("TagSpecification") }.map { "\($0.0)=\($0.1)" })
            .joined(separator: " ")
    }

    public static func formEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                 UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xf)])
            }
        }
        return out
    }
}

extension EC2Call {
    public static func createVolume(zone: String, options: VolumeOptions, clientToken: String) -> EC2Call {
        var p: [(String, String)] = [("AvailabilityZone", zone)]
        if let size = options.sizeGiB { p.append(("Size", String(size))) }
        if let type = options.volumeType { p.append(("VolumeType", type)) }
        if let iops = options.iops { p.append(("Iops", String(iops))) }
        if options.encrypted { p.append(("Encrypted", "true")) }
        if let key = options.kmsKeyID { p.append(("KmsKeyId", key)) }
        if let snapshot = options.snapshotID { p.append(("SnapshotId", snapshot)) }
        p.append(("ClientToken", clientToken))
        return EC2Call(action: "CreateVolume", parameters: p)
    }

    public static func createTags(resource: String, tags: [(String, String)]) -> EC2Call {
        var p: [(String, String)] = [("ResourceId.1", resource)]
        for (index, tag) in tags.enumerated() {
            p.append(("Tag.\(index + 1).Key", tag.0))
            p.append(("Tag.\(index + 1).Value", tag.1))
        }
        return EC2Call(action: "CreateTags", parameters: p)
    }

    public static func attachVolume(_ volume: String, instance: String, device: String) -> EC2Call {
        EC2Call(action: "AttachVolume", parameters: [("VolumeId", volume), ("InstanceId", instance), ("Device", device)])
    }

    /// InstanceId is always sent: EC2 accepts it, and moto's server fails (HTTP 500) without it.
    public static func detachVolume(_ volume: String, instance: String, force: Bool) -> EC2Call {
        var p = [("VolumeId", volume), ("InstanceId", instance)]
        if force { p.append(("Force", "true")) }
        return EC2Call(action: "DetachVolume", parameters: p)
    }

    public static func describeVolumes(_ volumes: [String]) -> EC2Call {
        EC2Call(action: "DescribeVolumes", parameters: volumes.enumerated().map { ("VolumeId.\($0.offset + 1)", $0.element) })
    }

    /// Volumes attached to one instance (to know which device names are taken).
    public static func describeVolumes(attachedTo instance: String) -> EC2Call {
        EC2Call(action: "DescribeVolumes", parameters: [("Filter.1.Name", "attachment.instance-id"), ("Filter.1.Value.1", instance)])
    }

    public static func deleteVolume(_ volume: String) -> EC2Call {
        EC2Call(action: "DeleteVolume", parameters: [("VolumeId", volume)])
    }
}
