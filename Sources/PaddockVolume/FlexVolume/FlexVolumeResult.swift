import PaddockJSON

/// The JSON a FlexVolume driver prints: `status` is "Success", "Failure" or "Not supported";
/// `capabilities` appears in `init` only.
public struct FlexVolumeResult: Equatable, Sendable {
    public enum Status: String, Sendable {
        case success = "Success"
        case failure = "Failure"
        case notSupported = "Not supported"
    }

    public var status: Status
    public var message: String
    public var device: String?
    public var volumeName: String?
    public var attached: Bool?
    public var capabilities: [String: JSONValue]?

    public init(_ status: Status, message: String = "", device: String? = nil, volumeName: String? = nil,
                attached: Bool? = nil, capabilities: [String: JSONValue]? = nil) {
        self.status = status
        self.message = message
        self.device = device
        self.volumeName = volumeName
        self.attached = attached
        self.capabilities = capabilities
    }

    public var json: JSONValue {
        var object: [String: JSONValue] = ["status": .string(status.rawValue)]
        if !message.isEmpty { object["message"] = .string(message) }
        if let device { object["device"] = .string(device) }
        if let volumeName { object["volumeName"] = .string(volumeName) }
        if let attached { object["attached"] = .bool(attached) }
        if let capabilities { object["capabilities"] = .object(capabilities) }
        return .object(object)
    }

    /// kubelet treats a non-zero exit with a Failure document as the failure it describes.
    public var exitCode: Int32 { status == .failure ? 1 : 0 }
}
