import PaddockJSON

extension VolumeRecord {
    /// The record as `--format json` shows it.
    public var json: JSONValue {
        .object([
            "name": .string(name), "driver": .string(driver), "createdAt": .string(createdAt),
            "options": .object(options.mapValues { .string($0) }), "mountpoint": .string(mountpoint),
            "mounts": .array(mounts.map { mount in
                var object: [String: JSONValue] = ["id": .string(mount.id), "mountpoint": .string(mount.mountpoint),
                                                   "readOnly": .bool(mount.readOnly)]
                if let target = mount.target { object["target"] = .string(target) }
                return .object(object)
            }),
        ])
    }
}
