import Glibc
import PaddockNetlink

/// The container attach shared by the network drivers (VXLAN, IPsec) and the CNI adapter: CNI
/// ADD / DEL / CHECK over a per-host bridge, veth pairs and IPAM. All kernel work goes through
/// rtnetlink sockets (one in this namespace, one opened inside the container's), never `ip`.
public struct ContainerAttach {
    public let config: BridgeAttachmentConfig
    public let ipam: IPAM

    public init(config: BridgeAttachmentConfig, ipam: IPAM) {
        self.config = config
        self.ipam = ipam
    }

    /// ADD: fails when `ifName` already exists in the container; on any failure it removes what
    /// it made (veth, lease) before throwing.
    public func add(_ identity: AttachmentIdentity) throws(NetworkError) -> AttachResult {
        let namespace = try openNamespace(identity.netns, missing: .invalidEnvironment)
        let inside = try kernel("netlink socket in \(identity.netns)") { () throws(NetlinkError) in try namespace.socket() }
        if try kernel("look up \(identity.ifName)", { () throws(NetlinkError) in try inside.link(named: identity.ifName) }) != nil {
            throw NetworkError(.exists, "interface \(identity.ifName) already exists in \(identity.netns)",
                               details: "ADD must not reuse an interface: choose another ifName or DEL the old attachment")
        }
        let host = try kernel("netlink socket") { () throws(NetlinkError) in try NetlinkSocket() }
        let bridge = try ensureBridge(host)
        let address = try ipam.acquire(owner: identity.owner, block: config.block)
        let hostName = config.hostVethName(identity)
        do throws(NetlinkError) {
            do {
                try host.createVeth(name: hostName, peerName: identity.ifName, peerNamespace: namespace, mtu: config.mtu)
            } catch {
                guard error.isExists else { throw error }
                // A host end left over from an ADD that died half-way: replace it.
                _ = try host.deleteLink(named: hostName)
                try host.createVeth(name: hostName, peerName: identity.ifName, peerNamespace: namespace, mtu: config.mtu)
            }
            guard let hostEnd = try host.link(named: hostName) else { throw NetlinkError("veth \(hostName) vanished", errno: ENODEV) }
            try host.setMaster(index: hostEnd.index, master: bridge.index)
            try host.setUp(index: hostEnd.index)
            guard let containerEnd = try inside.link(named: identity.ifName) else {
                throw NetlinkError("veth peer \(identity.ifName) missing in \(identity.netns)", errno: ENODEV)
            }
            let interfaceAddress = InterfaceAddress(index: containerEnd.index, address: address, prefix: config.block.prefix)
            try inside.addAddress(interfaceAddress)
            try inside.setUp(index: containerEnd.index)
            try inside.addRoute(Route(destination: IPv4Network(IPv4Address(0), prefix: 0)!, gateway: config.gateway,
                                      outputIndex: containerEnd.index), replace: true)
            return AttachResult(hostInterface: hostName, hostMAC: hostEnd.mac, containerInterface: identity.ifName,
                                containerMAC: containerEnd.mac, sandbox: identity.netns, address: interfaceAddress,
                                gateway: config.gateway, mtu: config.mtu)
        } catch {
            _ = try? host.deleteLink(named: hostName)
            try? ipam.release(owner: identity.owner)
            throw NetworkError("attach \(identity.owner) to \(config.bridge)", error)
        }
    }

    /// DEL: removes the veth and the lease; succeeds when the namespace, link or lease is gone.
    public func del(_ identity: AttachmentIdentity) throws(NetworkError) {
        let host = try kernel("netlink socket") { () throws(NetlinkError) in try NetlinkSocket() }
        let hostName = config.hostVethName(identity)
        // Deleting the host end removes the container end with it. When the host end is gone the
        // pair is gone: the container's ifName is then left alone (it may belong to another network).
        _ = try kernel("delete \(hostName)") { () throws(NetlinkError) in try host.deleteLink(named: hostName) }
        try ipam.release(owner: identity.owner)
    }

    /// CHECK: the lease, the container interface with its address and the host end on the bridge.
    public func check(_ identity: AttachmentIdentity) throws(NetworkError) {
        guard let address = try ipam.lease(of: identity.owner) else {
            throw NetworkError(.unknownContainer, "no lease for \(identity.owner) on network \(config.network)")
        }
        let namespace = try openNamespace(identity.netns, missing: .unknownContainer)
        let inside = try kernel("netlink socket in \(identity.netns)") { () throws(NetlinkError) in try namespace.socket() }
        guard let link = try kernel("look up \(identity.ifName)", { () throws(NetlinkError) in try inside.link(named: identity.ifName) }) else {
            throw NetworkError(.unknownContainer, "interface \(identity.ifName) is missing in \(identity.netns)")
        }
        let addresses = try kernel("addresses of \(identity.ifName)") { () throws(NetlinkError) in try inside.addresses(index: link.index) }
        guard addresses.contains(where: { $0.address == address }) else {
            throw NetworkError(.unknownContainer, "interface \(identity.ifName) in \(identity.netns) lacks its address \(address)")
        }
        let host = try kernel("netlink socket") { () throws(NetlinkError) in try NetlinkSocket() }
        let hostName = config.hostVethName(identity)
        guard let hostEnd = try kernel("look up \(hostName)", { () throws(NetlinkError) in try host.link(named: hostName) }),
              let bridge = try kernel("look up \(config.bridge)", { () throws(NetlinkError) in try host.link(named: config.bridge) }),
              hostEnd.masterIndex == bridge.index else {
            throw NetworkError(.unknownContainer, "host end \(hostName) of \(identity.owner) is missing or not on bridge \(config.bridge)")
        }
    }

    /// Creates the bridge when missing; sets its MTU, gateway address and up state.
    @discardableResult
    public func ensureBridge(_ host: NetlinkSocket) throws(NetworkError) -> Link {
        let bridge = try kernel("set up bridge \(config.bridge)") { () throws(NetlinkError) in try bridgeLink(host) }
        guard bridge.kind == "bridge" else {
            throw NetworkError(.invalidConfig, "\(config.bridge) exists and is a \(bridge.kind ?? "device"), not a bridge",
                               details: "choose another \"bridge\" name in the driver config")
        }
        try kernel("configure bridge \(config.bridge)") { () throws(NetlinkError) in
            if bridge.mtu != config.mtu { try host.setMTU(index: bridge.index, config.mtu) }
            try host.addAddress(InterfaceAddress(index: bridge.index, address: config.gateway, prefix: config.block.prefix))
            if !bridge.isUp { try host.setUp(index: bridge.index) }
        }
        return bridge
    }

    private func bridgeLink(_ host: NetlinkSocket) throws(NetlinkError) -> Link {
        if let existing = try host.link(named: config.bridge) { return existing }
        do {
            try host.createBridge(name: config.bridge, mtu: config.mtu)
        } catch {
            guard error.isExists else { throw error } // else: created concurrently by another ADD
        }
        guard let created = try host.link(named: config.bridge) else {
            throw NetlinkError("bridge \(config.bridge) vanished after creation", errno: ENODEV)
        }
        return created
    }

    private func openNamespace(_ path: String, missing: NetworkError.Code) throws(NetworkError) -> NetworkNamespace {
        do {
            return try NetworkNamespace(path: path)
        } catch {
            throw NetworkError(missing, "cannot open the container's network namespace: \(error)",
                               details: "pass the path of a live netns (e.g. /var/run/netns/NAME or /proc/PID/ns/net)")
        }
    }

    private func kernel<T>(_ what: String, _ body: () throws(NetlinkError) -> T) throws(NetworkError) -> T {
        do {
            return try body()
        } catch {
            throw NetworkError(what, error)
        }
    }
}
