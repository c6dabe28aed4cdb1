import PaddockCore

/// How the environment's metadata lies in etcd under the configured prefix P — one key per object
/// so each host's agent writes only its own record (under its lease):
/// `P hosts/<name>`, `P containers/<host>/<id>`, `P stacks/<name>`, `P services/<stack>/<name>`,
/// `P environment`; every value a JSON object.
public enum EtcdMetadataLayout {
    public static func hostKey(_ prefix: String, _ name: String) -> String { "\(prefix)hosts/\(name)" }
    public static func hostsPrefix(_ prefix: String) -> String { "\(prefix)hosts/" }

    /// The same document shape as metadata.json, from one range read of the whole prefix.
    /// Values that are not JSON objects are left out (a bad writer cannot break every reader).
    public static func document(_ kvs: [EtcdClient.KeyValue], prefix: String) -> JSONValue {
        var groups: [String: [(String, JSONValue)]] = [:]
        var environment = JSONValue.object([:])
        for kv in kvs where kv.key.hasPrefix(prefix) {
            let path = kv.key.dropFirst(prefix.count)
            guard let value = try? JSONValue(parsing: kv.value), value.objectValue != nil else { continue }
            if path == "environment" {
                environment = value
                continue
            }
            guard let slash = path.firstIndex(of: "/") else { continue }
            let group = String(path[..<slash])
            guard ["hosts", "containers", "stacks", "services"].contains(group) else { continue }
            groups[group, default: []].append((kv.key, value))
        }
        var document: [String: JSONValue] = ["environment": environment]
        for group in ["hosts", "containers", "stacks", "services"] {
            document[group] = .array((groups[group] ?? []).sorted { $0.0 < $1.0 }.map(\.1))
        }
        return .object(document)
    }
}
