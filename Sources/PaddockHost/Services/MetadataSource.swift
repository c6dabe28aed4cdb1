import Foundation
import PaddockCore
import PaddockPosix

/// Answers metadata queries from one of two stores: a local JSON file (the embedded default: one
/// machine or a static cluster) or etcd v3 (many machines; see EtcdMetadataLayout). Both give the
/// same document: {"self": NAME, "hosts": [...], "containers": [...], "stacks": [...],
/// "services": [...], "environment": {...}}. A missing file means a cluster of this machine alone.
public struct MetadataSource: Sendable {
    public enum Store: Sendable {
        case file(String)
        case etcd(EtcdClient)
    }

    public let store: Store
    /// This machine's name when the store does not say ("self" in the file wins).
    public let hostName: String?

    public init(file: String, hostName: String? = nil) {
        store = .file(file)
        self.hostName = hostName
    }

    public init(etcd: EtcdClient, hostName: String?) {
        store = .etcd(etcd)
        self.hostName = hostName
    }

    /// The store paddock.json's "metadata" names, else `<state>/metadata.json`.
    public static func configured(_ configuration: HostConfiguration) -> MetadataSource {
        let settings = configuration.settings.metadata
        if let etcd = settings.etcd {
            return MetadataSource(etcd: EtcdClient(settings: etcd, settingsFile: "\(configuration.configDirectory)/paddock.json"),
                                  hostName: settings.host)
        }
        return MetadataSource(file: "\(configuration.stateDirectory)/metadata.json", hostName: settings.host)
    }

    public func answer(_ query: JSONValue) throws(HostError) -> JSONValue {
        let document = try load()
        let hosts = document["hosts"]?.arrayValue ?? []
        let selfName = document["self"]?.stringValue ?? hostName ?? Self.hostname()
        switch query["type"]?.stringValue {
        case "self":
            return hosts.first { $0["name"]?.stringValue == selfName }
                ?? .object(["name": .string(selfName), "agent_ip": "", "labels": .object([:])])
        case "hosts":
            return .array(hosts.isEmpty ? [.object(["name": .string(selfName), "agent_ip": "", "labels": .object([:])])] : hosts)
        case "containers":
            let all = document["containers"]?.arrayValue ?? []
            guard let host = query["host"]?.stringValue else { return .array(all) }
            return .array(all.filter { $0["host"]?.stringValue == host })
        case "stacks":
            return document["stacks"] ?? .array([])
        case "services":
            let all = document["services"]?.arrayValue ?? []
            guard let stack = query["stack"]?.stringValue else { return .array(all) }
            return .array(all.filter { $0["stack"]?.stringValue == stack })
        case "environment":
            return document["environment"] ?? .object([:])
        case let other:
            throw HostError(.unsupported, "unknown metadata query type \(other.map { "\"\($0)\"" } ?? "(missing)")",
                            hint: "use self, hosts, containers, stacks, services or environment")
        }
    }

    private func load() throws(HostError) -> JSONValue {
        switch store {
        case .file(let file):
            guard FileSystem.exists(file) else { return .object([:]) }
            do {
                return try JSONValue(parsing: try FileSystem.read(file))
            } catch {
                throw HostError(.io, "metadata file \(file) is unreadable: \(error)", hint: "fix or remove it")
            }
        case .etcd(let client):
            let snapshot = try client.range(prefix: client.settings.prefix)
            return EtcdMetadataLayout.document(snapshot.kvs, prefix: client.settings.prefix)
        }
    }

    static func hostname() -> String { ProcessInfo.processInfo.hostName }
}
