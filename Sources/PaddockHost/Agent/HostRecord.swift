import PaddockCore

/// This host's record in the metadata store: what peers and their network drivers need
/// (rancher-metadata's host: name, agent_ip, labels) plus any extra fields drivers want.
public struct HostRecord: Sendable, Equatable {
    public var name: String
    public var agentIP: String
    public var labels: [String: String]
    public var fields: [String: JSONValue]

    public init(name: String, agentIP: String, labels: [String: String] = [:], fields: [String: JSONValue] = [:]) {
        self.name = name
        self.agentIP = agentIP
        self.labels = labels
        self.fields = fields
    }

    public func validate() throws(HostError) {
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                || byte == 0x2d || byte == 0x2e || byte == 0x5f
        }
        guard !name.isEmpty, name.utf8.count <= 253, allowed, name != ".", name != ".." else {
            throw HostError(.invalidInput, "host name \"\(name)\" is not usable as a metadata key",
                            hint: "use 1–253 characters from A–Z a–z 0–9 _ . - (--name)")
        }
        guard HostRecord.isIPv4(agentIP) else {
            throw HostError(.invalidInput, "agent IP \"\(agentIP)\" is not an IPv4 address", hint: "pass this host's underlay address with --agent-ip")
        }
        for key in fields.keys where ["name", "agent_ip", "labels"].contains(key) {
            throw HostError(.invalidInput, "field \"\(key)\" is set by its own option", hint: "use --name, --agent-ip or --label")
        }
    }

    public var json: JSONValue {
        var object = fields
        object["name"] = .string(name)
        object["agent_ip"] = .string(agentIP)
        object["labels"] = .object(labels.mapValues { .string($0) })
        return .object(object)
    }

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy({ $0.isASCII && $0.isNumber }) && (UInt8(part).map { _ in part.count == 1 || part.first != "0" } ?? false)
        }
    }
}
