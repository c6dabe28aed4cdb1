import PluginABI

/// The four driver kinds of the contract; the raw value is the manifest spelling.
public enum PluginKind: String, CaseIterable, Sendable, Codable, Comparable {
    case network, lb, storage, orchestrator

    /// The `PADDOCK_KIND_*` bit of `paddock_plugin.kinds`.
    public var bit: UInt32 {
        switch self {
        case .network: 1 << 0
        case .lb: 1 << 1
        case .storage: 1 << 2
        case .orchestrator: 1 << 3
        }
    }

    /// The operations of this kind's table, in table order (docs/abi.md).
    public var operations: [String] {
        switch self {
        case .network: ["add", "del", "check", "status", "gc", "version"]
        case .lb: ["apply", "status", "remove", "capabilities"]
        case .storage: ["create", "remove", "attach", "detach", "mount", "unmount", "path", "get", "list", "capabilities"]
        case .orchestrator: ["deploy", "remove", "scale", "status", "list", "logs"]
        }
    }

    public static func kinds(fromBits bits: UInt32) -> [PluginKind] {
        allCases.filter { bits & $0.bit != 0 }
    }

    public static func < (a: PluginKind, b: PluginKind) -> Bool { a.bit < b.bit }
}
