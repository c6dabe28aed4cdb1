import PaddockNetlink

/// How containers attach on this host: a per-host bridge holding the block's gateway address,
/// one veth per container (host end on the bridge, peer in the container renamed to its ifName).
public struct BridgeAttachmentConfig: Sendable {
    /// The network's name (IPAM and registry keys).
    public var network: String
    public var bridge: String
    /// This host's address block: gateway `.1` on the bridge, containers from `.2`.
    public var block: IPv4Network
    /// MTU of the bridge and both veth ends (underlay − encapsulation overhead).
    public var mtu: UInt32
    /// Host-side veth names are this prefix + 8 hex digits of a hash of network/container/ifName.
    public var hostVethPrefix: String

    public init(network: String, bridge: String, block: IPv4Network, mtu: UInt32, hostVethPrefix: String = "veth") {
        self.network = network
        self.bridge = bridge
        self.block = block
        self.mtu = mtu
        self.hostVethPrefix = hostVethPrefix
    }

    public var gateway: IPv4Address { AddressBlocks.gateway(block) }

    /// The host end's name for an attachment (deterministic, so DEL finds it without state).
    public func hostVethName(_ identity: AttachmentIdentity) -> String {
        var hash: UInt32 = 2_166_136_261 // FNV-1a
        for byte in "\(network)/\(identity.containerID)/\(identity.ifName)".utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        let hex = String(hash, radix: 16)
        return hostVethPrefix + String(repeating: "0", count: 8 - hex.count) + hex
    }
}
