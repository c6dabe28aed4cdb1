import PaddockNetworkCore
import PaddockPluginKit
import VXLANCore

/// This host and its peers from the host's metadata service (`self` and `hosts` queries).
struct Topology {
    var selfHost: HostRecord
    var planner: PeerPlanner
    /// One line per peer record that could not be used (malformed agent_ip …).
    var skipped: [String]

    static func load(_ host: HostClient) throws(NetworkError) -> Topology {
        let selfAnswer: JSONValue
        let hostsAnswer: JSONValue
        do {
            selfAnswer = try host.metadata(["type": "self"])
            hostsAnswer = try host.metadata(["type": "hosts"])
        } catch {
            throw NetworkError(.io, "metadata query failed: \(error.message)", details: error.details)
        }
        let selfHost: HostRecord
        switch HostRecord.parse(selfAnswer) {
        case .success(let record): selfHost = record
        case .failure(let error):
            throw NetworkError(.invalidConfig, "this host's metadata record is unusable: \(error.message)",
                               details: "give this host an agent_ip (IPv4) in the metadata source (<state>/metadata.json or etcd)")
        }
        let (hosts, skipped) = HostRecord.parseAll(hostsAnswer)
        return Topology(selfHost: selfHost, planner: PeerPlanner(selfHost: selfHost, hosts: hosts),
                        skipped: skipped.map { "peer record skipped: \($0.message)" })
    }
}
