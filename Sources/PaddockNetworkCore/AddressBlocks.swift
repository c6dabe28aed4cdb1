import PaddockNetlink

/// How an environment's subnet is shared among hosts without a central allocator: it is split
/// into blocks of `blockPrefix`, and each host owns exactly one block —
///
/// - the block named by its metadata label `io.paddock.network.block` (a CIDR inside the subnet)
///   when the operator set one, otherwise
/// - block number `agent_ip mod blockCount`: every host computes every other host's block from the
///   same metadata, so all agree with no coordination. Hosts whose agent addresses share their low
///   bits would collide; `assign` reports that as a conflict naming both hosts and the label that
///   resolves it, rather than handing out the same addresses twice.
///
/// Inside a block, `.0` is the host's VTEP/tunnel address, `.1` the bridge gateway, the last the
/// broadcast address, and the rest are leased to containers by `IPAM`.
public struct AddressBlocks: Sendable, Hashable {
    public static let blockLabel = "io.paddock.network.block"

    public let subnet: IPv4Network
    public let blockPrefix: Int

    public init(subnet: IPv4Network, blockPrefix: Int) throws(NetworkError) {
        guard blockPrefix >= subnet.prefix, blockPrefix <= 29 else {
            throw NetworkError(.invalidConfig, "blockPrefix /\(blockPrefix) does not fit subnet \(subnet)",
                               details: "use a blockPrefix between /\(subnet.prefix) and /29")
        }
        self.subnet = subnet
        self.blockPrefix = blockPrefix
    }

    public var blockCount: UInt32 { UInt32(1) << UInt32(blockPrefix - subnet.prefix) }

    /// The block a host owns, before checking for clashes.
    public func block(of host: HostRecord) throws(NetworkError) -> IPv4Network {
        if let text = host.labels[Self.blockLabel] {
            guard let block = IPv4Network(text), block.prefix == blockPrefix, subnet.contains(block.network) else {
                throw NetworkError(.invalidConfig, "host \(host.name) label \(Self.blockLabel)=\(text) is not a /\(blockPrefix) inside \(subnet)",
                                   details: "set it to one of the subnet's /\(blockPrefix) blocks")
            }
            return block
        }
        let index = host.agentIP.value % blockCount
        return IPv4Network(IPv4Address(subnet.network.value + index << UInt32(32 - blockPrefix)), prefix: blockPrefix)!
    }

    /// Every host's block; a block claimed twice is a conflict naming both hosts.
    public func assign(_ hosts: [HostRecord]) throws(NetworkError) -> [String: IPv4Network] {
        var byBlock: [IPv4Network: String] = [:]
        var result: [String: IPv4Network] = [:]
        for host in hosts.sorted(by: { $0.name < $1.name }) {
            let block = try block(of: host)
            if let other = byBlock[block], other != host.name {
                throw NetworkError(.conflict, "hosts \(other) and \(host.name) both map to block \(block) of \(subnet)",
                                   details: "give one of them the label \(Self.blockLabel)=<a free /\(blockPrefix) of \(subnet)>")
            }
            byBlock[block] = host.name
            result[host.name] = block
        }
        return result
    }

    /// Addresses inside one block.
    public static func tunnelAddress(_ block: IPv4Network) -> IPv4Address { block.address(0) }
    public static func gateway(_ block: IPv4Network) -> IPv4Address { block.address(1) }
    public static func firstLeasable(_ block: IPv4Network) -> IPv4Address { block.address(2) }
    public static func lastLeasable(_ block: IPv4Network) -> IPv4Address { IPv4Address(block.last.value - 1) }
}
