/// A volume as DescribeVolumes / CreateVolume describe it.
public struct EC2Volume: Sendable, Equatable {
    public struct Attachment: Sendable, Equatable {
        public var instanceID: String
        public var device: String
        /// attaching | attached | detaching | detached | busy
        public var state: String

        public init(instanceID: String, device: String, state: String) {
            self.instanceID = instanceID
            self.device = device
            self.state = state
        }
    }

    public var id: String
    /// creating | available | in-use | deleting | deleted | error
    public var state: String
    public var sizeGiB: Int?
    public var volumeType: String?
    public var zone: String?
    public var snapshotID: String?
    public var encrypted: Bool
    public var tags: [String: String]
    public var attachments: [Attachment]

    public init(id: String, state: String, sizeGiB: Int? = nil, volumeType: String? = nil, zone: String? = nil,
                snapshotID: String? = nil, encrypted: Bool = false, tags: [String: String] = [:], attachments: [Attachment] = []) {
        self.id = id
        self.state = state
        self.sizeGiB = sizeGiB
        self.volumeType = volumeType
        self.zone = zone
        self.snapshotID = snapshotID
        self.encrypted = encrypted
        self.tags = tags
        self.attachments = attachments
    }

    /// From a `volumeSet` item, or the CreateVolume answer itself (same fields at top level).
    public init?(_ node: XMLTree) {
        guard let id = node.value("volumeId"), let state = node.value("status") else { return nil }
        self.id = id
        self.state = state
        sizeGiB = node.value("size").flatMap { Int($0) }
        volumeType = node.value("volumeType")
        zone = node.value("availabilityZone")
        snapshotID = node.value("snapshotId")
        encrypted = node.value("encrypted") == "true"
        var tags: [String: String] = [:]
        for item in node.items("tagSet") {
            if let key = item.value("key") { tags[key] = item.value("value") ?? "" }
        }
        self.tags = tags
        attachments = node.items("attachmentSet").compactMap { item in
            guard let instance = item.value("instanceId") else { return nil }
            return Attachment(instanceID: instance, device: item.value("device") ?? "", state: item.value("status") ?? "")
        }
    }

    public func attachment(to instance: String) -> Attachment? { attachments.first { $0.instanceID == instance } }

    /// Every volume in a DescribeVolumes answer.
    public static func list(in answer: XMLTree) -> [EC2Volume] {
        answer.items("volumeSet").compactMap(EC2Volume.init)
    }
}
