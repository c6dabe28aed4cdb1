/// An error EC2 answered (`<Response><Errors><Error><Code>…`), with what the operator should do.
public struct EC2ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var httpStatus: Int
    public var requestID: String?

    public init(code: String, message: String, httpStatus: Int, requestID: String? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.requestID = requestID
    }

    /// The error document inside an answer, if it is one.
    public init?(answer: XMLTree, httpStatus: Int) {
        guard let error = answer.find("Error"), let code = error.value("Code") else { return nil }
        self.init(code: code, message: error.value("Message") ?? "", httpStatus: httpStatus,
                  requestID: answer.value("RequestID") ?? answer.value("RequestId"))
    }

    public var description: String {
        "EC2 \(code)" + (message.isEmpty ? "" : ": \(message)") + (requestID.map { " (request \($0))" } ?? "")
    }

    /// AttachVolume's answer when the device name is taken on the instance: pick another name.
    public var isDeviceInUse: Bool {
        code == "InvalidParameterValue" && message.lowercased().contains("already in use")
            || code == "InvalidDevice.InUse"
    }

    /// Worth another try after a pause (throttling, EC2's own failures).
    public var isRetryable: Bool {
        ["RequestLimitExceeded", "Throttling", "ThrottlingException", "InternalError", "Unavailable",
         "ServiceUnavailable", "InsufficientVolumeCapacity"].contains(code) || httpStatus >= 500
    }

    public var isNotFound: Bool { code == "InvalidVolume.NotFound" }
}

/// What to do about each EC2 error the driver meets, in words an operator can act on.
public enum EC2ErrorAdvice {
    public struct Context: Sendable {
        public var region: String
        public var zone: String
        public var instanceID: String
        public var volumeID: String?
        public var snapshotID: String?

        public init(region: String, zone: String, instanceID: String, volumeID: String? = nil, snapshotID: String? = nil) {
            self.region = region
            self.zone = zone
            self.instanceID = instanceID
            self.volumeID = volumeID
            self.snapshotID = snapshotID
        }
    }

    public static func advice(for error: EC2ServiceError, _ c: Context) -> String {
        switch error.code {
        case "AuthFailure", "InvalidClientTokenId", "SignatureDoesNotMatch", "IncompleteSignature", "MissingAuthenticationToken":
            return "EC2 refused the credentials; check access_key_id/secret_access_key in the enable config or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), and that the clock is right"
        case "UnauthorizedOperation", "AccessDenied":
            return "the credentials may not do this; grant ec2:CreateVolume, AttachVolume, DetachVolume, DescribeVolumes, DeleteVolume and CreateTags"
        case "ExpiredToken", "RequestExpired":
            return "the session token or request expired; refresh the credentials (AWS_SESSION_TOKEN) or fix the clock"
        case "InvalidSnapshot.NotFound", "InvalidSnapshot.Malformed":
            return "snapshot \(c.snapshotID ?? "?") does not exist in region \(c.region); check snapshotID (snapshots belong to one region: copy it here first)"
        case "InvalidVolume.NotFound", "InvalidVolumeID.Malformed":
            return "volume \(c.volumeID ?? "?") does not exist in region \(c.region); check volumeID, or remove this volume's record if it was deleted outside Paddock"
        case "InvalidVolume.ZoneMismatch":
            return "volume \(c.volumeID ?? "?") is in another availability zone than instance \(c.instanceID); EBS volumes attach only in their own zone (availability_zone is \(c.zone))"
        case "InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed":
            return "instance \(c.instanceID) does not exist in region \(c.region); set instance_id in the enable config (or PADDOCK_EBS_INSTANCE_ID) to this host's instance"
        case "InvalidZone.NotFound", "InvalidAvailabilityZone":
            return "availability zone \(c.zone) does not exist in region \(c.region); set availability_zone in the enable config"
        case "VolumeInUse":
            return "volume \(c.volumeID ?? "?") is attached to an instance; unmount and detach it first"
        case "IncorrectState":
            return "volume \(c.volumeID ?? "?") is not in a state that allows this; look at it with storage.get and retry when it settles"
        case "VolumeLimitExceeded", "MaxIOPSLimitExceeded":
            return "the account's EBS quota is used up in \(c.region); delete unused volumes or ask AWS for a higher quota"
        case "InvalidParameterValue", "InvalidParameterCombination", "InvalidParameter", "MissingParameter":
            return "EC2 rejected a parameter; check the volume options (size, volumeType, iops, encrypted, kmsKeyId)"
        case "InvalidKMSKey.InvalidState", "KMSKeyNotAccessible", "InvalidKmsKey":
            return "the KMS key \(error.message.isEmpty ? "" : "in the message ")cannot be used; check kmsKeyId and the key policy"
        case "RequestLimitExceeded", "Throttling":
            return "EC2 is throttling this account; retry later"
        case "InsufficientVolumeCapacity":
            return "EC2 has no capacity for this volume type in \(c.zone) right now; retry later or use another volumeType"
        default:
            return error.httpStatus >= 500 ? "EC2 failed on its side; retry later" : "see the EC2 documentation for \(error.code)"
        }
    }
}
