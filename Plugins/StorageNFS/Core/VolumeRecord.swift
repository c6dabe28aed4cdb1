import PaddockJSON

/// What the driver keeps per volume in the host's store (`volume/<name>`): where its data is,
/// how to remove it, and who has it mounted where.
public struct VolumeRecord: Equatable, Sendable {
    public struct Mount: Equatable, Sendable {
        /// The directory the volume is mounted on.
        public var target: String
        /// "kernel" or "fuse".
        public var via: String
        /// The callers' mount ids (Docker's ID, FlexVolume's pod); unmounted when the last goes.
        public var ids: [String]

        public init(target: String, via: String, ids: [String]) {
            self.target = target
            self.via = via
            self.ids = ids
        }
    }

    public var name: String
    public var location: ServerLocation
    /// The directory provisioning connected to (see VolumeSpec.parent).
    public var parentPath: String
    public var wholeExport: Bool
    public var mntOptions: [String]
    public var version: NFSVersion
    public var onRemove: OnRemove
    public var createdAt: String
    public var mounts: [Mount]

    public init(spec: VolumeSpec, createdAt: String) {
        name = spec.name.value
        location = spec.location
        parentPath = spec.parent.path
        if case .whole = spec.layout { wholeExport = true } else { wholeExport = false }
        mntOptions = spec.mntOptions
        version = spec.version
        onRemove = spec.onRemove
        self.createdAt = createdAt
        mounts = []
    }

    /// The spec the record was made from (for mounting with the same options).
    public var spec: VolumeSpec {
        // The name was validated when the record was made; a record whose name no longer
        // validates is refused by `init(json:)`.
        let volume = try! VolumeName(validating: name)
        let layout: VolumeSpec.Layout = wholeExport ? .whole(export: location.path) : .subdirectory(base: parentPath)
        return VolumeSpec(name: volume, host: location.host, port: location.port, layout: layout,
                          mntOptions: mntOptions, version: version, onRemove: onRemove)
    }

    public var mountCount: Int { mounts.reduce(0) { $0 + $1.ids.count } }

    public var json: JSONValue {
        .object([
            "name": .string(name),
            "host": .string(location.host),
            "port": .number(Double(location.port)),
            "path": .string(location.path),
            "parent": .string(parentPath),
            "layout": .string(wholeExport ? "export" : "exportBase"),
            "mntOptions": .string(mntOptions.joined(separator: ",")),
            "nfsVersion": .string(version.description),
            "onRemove": .string(onRemove.rawValue),
            "createdAt": .string(createdAt),
            "mounts": .array(mounts.map { mount in
                .object(["target": .string(mount.target), "via": .string(mount.via), "ids": .array(mount.ids.map { .string($0) })])
            }),
        ])
    }

    public func encoded() -> [UInt8] { Array(json.serialized().utf8) }

    /// Reads a stored record; throws a message saying what is wrong with it.
    public init(bytes: [UInt8]) throws(NFSSettingsError) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw NFSSettingsError("the stored record is not JSON (\(error))", fix: "")
        }
        try self.init(json: value)
    }

    public init(json value: JSONValue) throws(NFSSettingsError) {
        func field(_ key: String) throws(NFSSettingsError) -> String {
            guard let text = value[key]?.stringValue else { throw NFSSettingsError("the stored record has no string \"\(key)\"", fix: "") }
            return text
        }
        let name = try field("name")
        _ = try VolumeName(validating: name)
        guard let port = value["port"]?.intValue, (1...65535).contains(port) else {
            throw NFSSettingsError("the stored record has no valid \"port\"", fix: "")
        }
        guard let onRemove = OnRemove(rawValue: try field("onRemove")) else {
            throw NFSSettingsError("the stored record's onRemove is not purge, retain or archive", fix: "")
        }
        let layout = try field("layout")
        guard layout == "export" || layout == "exportBase" else {
            throw NFSSettingsError("the stored record's layout is not export or exportBase", fix: "")
        }
        var mounts: [Mount] = []
        for item in value["mounts"]?.arrayValue ?? [] {
            guard let target = item["target"]?.stringValue, let via = item["via"]?.stringValue,
                  let ids = item["ids"]?.arrayValue?.compactMap(\.stringValue) else {
                throw NFSSettingsError("the stored record has a malformed mount entry", fix: "")
            }
            mounts.append(Mount(target: target, via: via, ids: ids))
        }
        self.name = name
        location = ServerLocation(host: try field("host"), port: port, path: try field("path"))
        parentPath = try field("parent")
        wholeExport = layout == "export"
        let options = try field("mntOptions")
        mntOptions = options.isEmpty ? [] : options.split(separator: ",").map(String.init)
        version = try NFSVersion(parsing: try field("nfsVersion"))
        self.onRemove = onRemove
        createdAt = try field("createdAt")
        self.mounts = mounts
    }
}
