import Foundation
import PaddockCore
import PaddockPosix

/// Answers metadata queries from a local JSON file (the embedded default: one machine or a static
/// cluster). Layout: {"self": NAME, "hosts": [...], "containers": [...], "stacks": [...],
/// "services": [...], "environment": {...}}. A missing file means a cluster of this machine alone.
public struct MetadataSource: Sendable {
    public let file: String

    public init(file: String) { self.file = file }

    public func answer(_ query: JSONValue) throws(HostError) -> JSONValue {
        let document = try load()
        let hosts = document["hosts"]?.arrayValue ?? []
        let selfName = document["self"]?.stringValue ?? Self.hostname()
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
        guard FileSystem.exists(file) else { return .object([:]) }
        do {
            return try JSONValue(parsing: try FileSystem.read(file))
        } catch {
            throw HostError(.io, "metadata file \(file) is unreadable: \(error)", hint: "fix or remove it")
        }
    }

    static func hostname() -> String { ProcessInfo.processInfo.hostName }
}
