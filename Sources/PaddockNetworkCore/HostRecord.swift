import PaddockJSON
import PaddockNetlink

/// A host of the environment as the metadata service describes it ({"name", "agent_ip", "labels"}).
public struct HostRecord: Sendable, Hashable {
    public var name: String
    public var agentIP: IPv4Address
    public var labels: [String: String]

    public init(name: String, agentIP: IPv4Address, labels: [String: String] = [:]) {
        self.name = name
        self.agentIP = agentIP
        self.labels = labels
    }

    /// A metadata host record, or a reason it is unusable (e.g. a malformed `agent_ip`).
    public static func parse(_ value: JSONValue) -> Result<HostRecord, NetworkError> {
        let name = value["name"]?.stringValue ?? value["hostname"]?.stringValue ?? ""
        guard !name.isEmpty else {
            return .failure(NetworkError(.decode, "a host record has no name: \(value.serialized())"))
        }
        guard let text = value["agent_ip"]?.stringValue, let address = IPv4Address(text) else {
            let shown = value["agent_ip"].map { $0.serialized() } ?? "(missing)"
            return .failure(NetworkError(.decode, "host \(name) has a malformed agent_ip \(shown)",
                                         details: "fix its metadata record; it is skipped until then"))
        }
        var labels: [String: String] = [:]
        for (key, label) in value["labels"]?.objectValue ?? [:] {
            if let text = label.stringValue { labels[key] = text }
        }
        return .success(HostRecord(name: name, agentIP: address, labels: labels))
    }

    /// Parses a `{"type":"hosts"}` answer: usable records, and one message per skipped record.
    public static func parseAll(_ value: JSONValue) -> (hosts: [HostRecord], skipped: [NetworkError]) {
        var hosts: [HostRecord] = []
        var skipped: [NetworkError] = []
        for item in value.arrayValue ?? [] {
            switch parse(item) {
            case .success(let host): hosts.append(host)
            case .failure(let error): skipped.append(error)
            }
        }
        return (hosts, skipped)
    }
}
