import PaddockCore
import PaddockPosix

/// What `paddock` remembers between runs (`state.json`): which plugins are enabled, with which
/// config, and what the last probe of each file said.
public struct HostState: Sendable, Equatable {
    public var plugins: [String: PluginRecord] = [:]
    /// Load balancers applied through `paddock lb`: name → the driver that runs it.
    public var balancers: [String: String] = [:]

    public init(plugins: [String: PluginRecord] = [:]) { self.plugins = plugins }

    public static let formatVersion = 1

    public var json: JSONValue {
        .object([
            "version": .number(Double(Self.formatVersion)),
            "plugins": .object(plugins.mapValues(\.json)),
            "balancers": .object(balancers.mapValues { .string($0) }),
        ])
    }

    public init(json: JSONValue) throws(HostError) {
        guard let version = json["version"]?.intValue else {
            throw HostError(.io, "state has no \"version\"")
        }
        guard version <= Self.formatVersion else {
            throw HostError(.io, "state format \(version) is newer than this paddock understands (\(Self.formatVersion))",
                            hint: "use a newer paddock")
        }
        for (name, value) in json["plugins"]?.objectValue ?? [:] {
            plugins[name] = try PluginRecord(json: value, name: name)
        }
        balancers = (json["balancers"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }
}

/// Identity of a plugin file when it was recorded, to notice that it changed since.
public struct FileIdentity: Sendable, Equatable {
    public var size: Int64
    public var mtimeNanoseconds: Int64
    public var inode: UInt64
    public var device: UInt64

    public init(_ status: FileStatus) {
        size = status.size
        mtimeNanoseconds = status.mtimeNanoseconds
        inode = status.inode
        device = status.device
    }

    init(size: Int64, mtimeNanoseconds: Int64, inode: UInt64, device: UInt64) {
        self.size = size
        self.mtimeNanoseconds = mtimeNanoseconds
        self.inode = inode
        self.device = device
    }

    /// Decimal strings: nanosecond times and inode numbers exceed a double's 53 exact bits.
    var json: JSONValue {
        .object(["size": .string(String(size)), "mtime_ns": .string(String(mtimeNanoseconds)),
                 "inode": .string(String(inode)), "device": .string(String(device))])
    }

    init?(json: JSONValue?) {
        guard let json, let size = json["size"]?.stringValue.flatMap({ Int64($0) }),
              let mtime = json["mtime_ns"]?.stringValue.flatMap({ Int64($0) }),
              let inode = json["inode"]?.stringValue.flatMap({ UInt64($0) }),
              let device = json["device"]?.stringValue.flatMap({ UInt64($0) }) else { return nil }
        self.init(size: size, mtimeNanoseconds: mtime, inode: inode, device: device)
    }
}

public struct PluginRecord: Sendable, Equatable {
    public var enabled: Bool
    public var path: String
    public var config: JSONValue
    public var identity: FileIdentity?
    public var changedAt: String
    /// Who relies on this plugin (e.g. "volume:data"); disable refuses while any remain.
    public var users: [String] = []
    /// "in-process" (default) or "process" (a worker process per plugin).
    public var isolation: String = "in-process"

    public init(enabled: Bool, path: String, config: JSONValue, identity: FileIdentity?, changedAt: String) {
        self.enabled = enabled
        self.path = path
        self.config = config
        self.identity = identity
        self.changedAt = changedAt
    }

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "enabled": .bool(enabled), "path": .string(path), "config": config, "changed_at": .string(changedAt),
        ]
        if let identity { object["identity"] = identity.json }
        if !users.isEmpty { object["users"] = .array(users.map { .string($0) }) }
        if isolation != "in-process" { object["isolation"] = .string(isolation) }
        return .object(object)
    }

    init(json: JSONValue, name: String) throws(HostError) {
        guard let enabled = json["enabled"]?.boolValue, let path = json["path"]?.stringValue else {
            throw HostError(.io, "state record for \(name) lacks \"enabled\" or \"path\"")
        }
        self.init(enabled: enabled, path: path, config: json["config"] ?? .object([:]),
                  identity: FileIdentity(json: json["identity"]),
                  changedAt: json["changed_at"]?.stringValue ?? "")
        users = (json["users"]?.arrayValue ?? []).compactMap(\.stringValue)
        isolation = json["isolation"]?.stringValue ?? "in-process"
    }
}
