import PaddockNetlink
import PaddockNetworkCore

/// From metadata (this host, every host) and the networks this host serves, the entries the
/// VTEP should carry. Peers that cannot be placed (malformed address — already dropped by
/// `HostRecord.parseAll` — a bad block label or a block clash) are skipped with a reason.
public struct PeerPlanner: Sendable {
    public var selfHost: HostRecord
    public var hosts: [HostRecord]

    public init(selfHost: HostRecord, hosts: [HostRecord]) {
        self.selfHost = selfHost
        self.hosts = hosts
    }

    public var peers: [HostRecord] {
        hosts.filter { $0.name != selfHost.name && $0.agentIP != selfHost.agentIP }.sorted { $0.name < $1.name }
    }

    /// This host's block of a network; a clash with a peer's block is an error for this host.
    public func ownBlock(_ blocks: AddressBlocks) throws(NetworkError) -> IPv4Network {
        let own = try blocks.block(of: selfHost)
        for peer in peers {
            if let theirs = try? blocks.block(of: peer), theirs == own {
                throw NetworkError(.invalidConfig, "this host (\(selfHost.name)) and host \(peer.name) both map to block \(own) of \(blocks.subnet)",
                                   details: "give one of them the label \(AddressBlocks.blockLabel)=<a free /\(blocks.blockPrefix) of \(blocks.subnet)>")
            }
        }
        return own
    }

    public func desired(_ networks: [AddressBlocks]) -> (state: PeerState, skipped: [String]) {
        var state = PeerState()
        var skipped: [String] = []
        for network in networks {
            let own = try? ownBlock(network)
            var seen: [IPv4Network: String] = [:]
            for peer in peers {
                let block: IPv4Network
                do {
                    block = try network.block(of: peer)
                } catch {
                    skipped.append("peer \(peer.name) skipped: \(error)")
                    continue
                }
                if block == own || seen[block] != nil {
                    skipped.append("peer \(peer.name) skipped: its block \(block) of \(network.subnet) clashes with \(seen[block] ?? selfHost.name)")
                    continue
                }
                seen[block] = peer.name
                let mac = VTEPAddressing.mac(for: peer.agentIP)
                let tunnel = AddressBlocks.tunnelAddress(block)
                state.forwarding.insert(.init(mac: mac, destination: peer.agentIP))
                state.neighbours[tunnel] = mac
                state.routes[block] = tunnel
            }
        }
        return (state, skipped)
    }
}
