import PaddockJSON

/// The enable config (rancher-nfs's NFS_SERVER, MOUNT_DIR, MOUNT_OPTS, NFS_VERS, ON_REMOVE and
/// Paddock's own keys), and how a volume's options override it.
public struct NFSSettings: Equatable, Sendable {
    public var host: String?
    public var port: Int
    public var export: String?
    public var exportBase: String?
    public var mntOptions: [String]
    public var version: NFSVersion
    public var onRemove: OnRemove?
    /// Where volumes are mounted (`<mountDir>/<name>`); nil: the plugin's state directory.
    public var mountDir: String?
    /// The userspace mount helper; nil: found beside the driver or the paddock binary.
    public var fuseHelper: String?
    public var mountMode: MountMode
    /// Bound on every NFS round trip and on waiting for a mount to appear.
    public var timeoutSeconds: Int

    /// The enable config's keys (the manifest's schema lists the same).
    public static let configKeys: Set<String> = [
        "host", "port", "export", "exportBase", "mntOptions", "nfsVersion", "onRemove", "mountDir",
        "fuseHelper", "mountMode", "timeout",
    ]
    /// What a volume may override: rancher-nfs's per-volume options, plus the port that goes with a host.
    public static let volumeKeys: Set<String> = ["host", "port", "export", "exportBase", "mntOptions", "onRemove"]
    /// Options other tools add on their own (FlexVolume's kubernetes.io/fsType, …): not ours, ignored.
    public static let foreignPrefixes = ["kubernetes.io/"]

    public init(config: JSONValue) throws(NFSSettingsError) {
        let object = try Self.object(config, "the enable config")
        if let unknown = object.keys.sorted().first(where: { !Self.configKeys.contains($0) }) {
            throw NFSSettingsError("unknown option \"\(unknown)\" in the enable config",
                                   fix: "known options: \(Self.configKeys.sorted().joined(separator: ", "))")
        }
        host = try Self.host(object["host"])
        port = try Self.port(object["port"]) ?? 2049
        export = try Self.path(object["export"], "export")
        exportBase = try Self.path(object["exportBase"], "exportBase")
        if export != nil, exportBase != nil {
            throw NFSSettingsError("the enable config sets both export and exportBase",
                                   fix: "set exportBase for a directory per volume, or export to share one export as is")
        }
        mntOptions = try Self.mountOptions(object["mntOptions"])
        version = try Self.string(object["nfsVersion"], "nfsVersion").map { (text) throws(NFSSettingsError) in
            try NFSVersion(parsing: text)
        } ?? NFSVersion(major: 4)
        onRemove = try Self.onRemove(object["onRemove"])
        mountDir = try Self.path(object["mountDir"], "mountDir")
        fuseHelper = try Self.path(object["fuseHelper"], "fuseHelper")
        if let text = try Self.string(object["mountMode"], "mountMode") {
            guard let mode = MountMode(rawValue: text) else {
                throw NFSSettingsError("mountMode \"\(text)\" is not a mount mode", fix: "use auto, kernel or fuse")
            }
            mountMode = mode
        } else {
            mountMode = .auto
        }
        let timeout = try Self.integer(object["timeout"], "timeout") ?? 10
        guard (1...600).contains(timeout) else {
            throw NFSSettingsError("timeout \(timeout) is out of range", fix: "use 1 to 600 seconds")
        }
        timeoutSeconds = timeout
    }

    /// The volume `name` with `options` (a create request's) over this config. Unknown options
    /// are refused by name.
    public func volume(_ name: VolumeName, options: JSONValue?) throws(NFSSettingsError) -> VolumeSpec {
        let object = try options.map { (value) throws(NFSSettingsError) in try Self.object(value, "the volume's options") } ?? [:]
        let own = object.filter { key, _ in !Self.foreignPrefixes.contains { key.hasPrefix($0) } }
        if let unknown = own.keys.sorted().first(where: { !Self.volumeKeys.contains($0) }) {
            throw NFSSettingsError("unknown volume option \"\(unknown)\"",
                                   fix: "a volume may set \(Self.volumeKeys.sorted().joined(separator: ", ")); the rest belongs in the enable config")
        }
        guard let host = try Self.host(own["host"]) ?? host else {
            throw NFSSettingsError("no NFS server for volume \(name)", fix: "set \"host\" in the enable config or in the volume's options")
        }
        let port = try Self.port(own["port"]) ?? port
        let ownExport = try Self.path(own["export"], "export")
        let ownBase = try Self.path(own["exportBase"], "exportBase")
        if ownExport != nil, ownBase != nil {
            throw NFSSettingsError("volume \(name) sets both export and exportBase", fix: "set one of them")
        }
        let layout: VolumeSpec.Layout
        if let ownExport {
            layout = .whole(export: ownExport)
        } else if let ownBase {
            layout = .subdirectory(base: ownBase)
        } else if let export {
            layout = .whole(export: export)
        } else if let exportBase {
            layout = .subdirectory(base: exportBase)
        } else {
            throw NFSSettingsError("no export for volume \(name)",
                                   fix: "set \"exportBase\" (a directory per volume) or \"export\" in the enable config or the volume's options")
        }
        let mntOptions = own["mntOptions"] == nil ? mntOptions : try Self.mountOptions(own["mntOptions"])
        var onRemove = try Self.onRemove(own["onRemove"]) ?? onRemove
        if case .whole = layout {
            // A shared export outlives its volumes unless purge is asked for explicitly.
            if onRemove == .archive {
                throw NFSSettingsError("onRemove archive needs a directory per volume, but volume \(name) uses the export as is",
                                       fix: "use exportBase, or onRemove retain or purge")
            }
            onRemove = onRemove ?? .retain
        }
        return VolumeSpec(name: name, host: host, port: port, layout: layout, mntOptions: mntOptions,
                          version: version, onRemove: onRemove ?? .purge)
    }

    // MARK: Values (Docker sends every option as a string, so numbers may come as text).

    static func object(_ value: JSONValue, _ what: String) throws(NFSSettingsError) -> [String: JSONValue] {
        if value.isNull { return [:] }
        guard let object = value.objectValue else {
            throw NFSSettingsError("\(what) is \(value.typeName), not an object", fix: "pass a JSON object of option names to values")
        }
        return object
    }

    static func string(_ value: JSONValue?, _ key: String) throws(NFSSettingsError) -> String? {
        guard let value, !value.isNull else { return nil }
        guard let text = value.stringValue else {
            throw NFSSettingsError("\(key) is \(value.typeName), not a string", fix: "write \(key) as a JSON string")
        }
        return text
    }

    static func integer(_ value: JSONValue?, _ key: String) throws(NFSSettingsError) -> Int? {
        guard let value, !value.isNull else { return nil }
        if let number = value.intValue { return number }
        if let text = value.stringValue, let number = Int(text) { return number }
        throw NFSSettingsError("\(key) \(value.serialized()) is not a whole number", fix: "write \(key) as a number such as 2049")
    }

    static func port(_ value: JSONValue?) throws(NFSSettingsError) -> Int? {
        guard let port = try integer(value, "port") else { return nil }
        guard (1...65535).contains(port) else { throw NFSSettingsError("port \(port) is out of range", fix: "use 1 to 65535") }
        return port
    }

    static func host(_ value: JSONValue?) throws(NFSSettingsError) -> String? {
        guard let text = try string(value, "host") else { return nil }
        let allowed = text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || ".-:[]".unicodeScalars.contains($0)) }
        guard !text.isEmpty, allowed else {
            throw NFSSettingsError("host \"\(text)\" is not a host name or address", fix: "give the NFS server's name or IP address, e.g. 198.18.0.10")
        }
        return text
    }

    static func path(_ value: JSONValue?, _ key: String) throws(NFSSettingsError) -> String? {
        guard let text = try string(value, key) else { return nil }
        guard text.hasPrefix("/") else {
            throw NFSSettingsError("\(key) \"\(text)\" is not an absolute path", fix: "start \(key) with '/'")
        }
        let components = text.split(separator: "/")
        guard !text.utf8.contains(0), !components.contains(".."), !components.contains("."),
              !text.contains(where: { "?#%".contains($0) }) else {
            throw NFSSettingsError("\(key) \"\(text)\" contains '.', '..', NUL, '?', '#' or '%'",
                                   fix: "give a plain absolute path such as /exports/volumes")
        }
        return text
    }

    static func mountOptions(_ value: JSONValue?) throws(NFSSettingsError) -> [String] {
        guard let text = try string(value, "mntOptions") else { return [] }
        let options = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
        guard !options.contains(where: { $0.isEmpty || $0.contains(where: { $0 == " " || $0 == "\t" || $0 == "\0" }) }) else {
            throw NFSSettingsError("mntOptions \"\(text)\" has an empty or blank option", fix: "write options comma-separated, e.g. soft,timeo=30")
        }
        return options
    }

    static func onRemove(_ value: JSONValue?) throws(NFSSettingsError) -> OnRemove? {
        guard let text = try string(value, "onRemove") else { return nil }
        guard let mode = OnRemove(rawValue: text) else {
            throw NFSSettingsError("onRemove \"\(text)\" is not one of purge, retain, archive", fix: "use purge (the default), retain or archive")
        }
        return mode
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
