import PaddockJSON

/// Splits kubelet's option object into what Paddock reads (the `kubernetes.io/…` keys and the
/// volume's name) and the driver's own options.
public struct FlexVolumeOptions: Equatable, Sendable {
    /// The option naming the volume; without it the PV's (or pod volume's) name is used.
    public static let volumeNameKey = "volumeName"

    public var volumeName: String?
    public var readOnly: Bool
    public var driverOptions: [String: String]

    public init(_ json: JSONValue) {
        var driverOptions: [String: String] = [:]
        var kubernetes: [String: String] = [:]
        var volumeName: String?
        for (key, value) in json.objectValue ?? [:] {
            let text = value.stringValue ?? value.serialized()
            if key.hasPrefix("kubernetes.io/") {
                kubernetes[key] = text
            } else if key == Self.volumeNameKey {
                volumeName = text
            } else {
                driverOptions[key] = text
            }
        }
        self.volumeName = volumeName ?? kubernetes["kubernetes.io/pvOrVolumeName"]
        self.readOnly = kubernetes["kubernetes.io/readwrite"] == "ro"
        self.driverOptions = driverOptions
    }

    /// The volume's name, or an error saying how to give one.
    public func requireName(_ callout: String) throws(VolumeError) -> String {
        guard let volumeName, !volumeName.isEmpty else {
            throw VolumeError(.invalidOption, "\(callout): the options name no volume",
                              hint: "set \"\(Self.volumeNameKey)\" in the flexVolume options (kubelet also passes kubernetes.io/pvOrVolumeName)")
        }
        return volumeName
    }
}
