import PaddockNetlink
import PaddockNetworkCore
import VXLANCore

/// This host's VXLAN device: created when missing (or recreated when its VNI, port, local
/// address or MAC no longer match), MTU underlay − 50, up, with each served network's tunnel
/// address (`.0/32` of this host's block).
struct VTEPDevice {
    let socket: NetlinkSocket
    let settings: VXLANSettings
    let selfHost: HostRecord

    func underlay() throws(NetworkError) -> Link { try Self.underlay(socket, selfHost) }

    /// The underlay link: the one holding this host's agent address.
    static func underlay(_ socket: NetlinkSocket, _ selfHost: HostRecord) throws(NetworkError) -> Link {
        let addresses = try kernel("list addresses") { () throws(NetlinkError) in try socket.addresses() }
        guard let match = addresses.first(where: { $0.address == selfHost.agentIP }),
              let link = try kernel("look up underlay", { () throws(NetlinkError) in try socket.link(index: match.index) }) else {
            throw NetworkError(.invalidConfig, "no interface on this host holds its agent_ip \(selfHost.agentIP)",
                               details: "fix this host's metadata record (agent_ip) or the underlay's address")
        }
        return link
    }

    /// The container MTU: the configured one, or underlay − 50.
    func mtu(underlay: Link) throws(NetworkError) -> UInt32 {
        let limit = underlay.mtu - VTEPAddressing.overhead
        if let wanted = settings.mtu {
            guard wanted <= limit else {
                throw NetworkError(.invalidConfig, "mtu \(wanted) does not fit underlay \(underlay.name) (MTU \(underlay.mtu)) with VXLAN's 50 bytes",
                                   details: "use at most \(limit) or leave mtu unset")
            }
            return wanted
        }
        return limit
    }

    @discardableResult
    func ensure(tunnelAddresses: [IPv4Address]) throws(NetworkError) -> Link {
        let underlay = try underlay()
        let mtu = try mtu(underlay: underlay)
        let mac = VTEPAddressing.mac(for: selfHost.agentIP)
        return try kernel("set up VTEP \(settings.vtep)") { () throws(NetlinkError) -> Link in
            var existing = try socket.link(named: settings.vtep)
            if let link = existing, link.kind != "vxlan" || link.mac != mac {
                try socket.deleteLink(index: link.index)
                existing = nil
            }
            if existing == nil {
                do throws(NetlinkError) {
                    try socket.createVXLAN(VXLANSpec(name: settings.vtep, vni: settings.vni, port: settings.port, local: selfHost.agentIP,
                                                     underlayIndex: underlay.index, learning: false, mac: mac, mtu: mtu))
                } catch {
                    guard error.isExists else { throw error } // else: created by a concurrent ADD
                }
                existing = try socket.link(named: settings.vtep)
            }
            guard let vtep = existing else { throw NetlinkError("VTEP \(settings.vtep) vanished", errno: 19) }
            if vtep.mtu != mtu { try socket.setMTU(index: vtep.index, mtu) }
            for address in tunnelAddresses {
                try socket.addAddress(InterfaceAddress(index: vtep.index, address: address, prefix: 32))
            }
            if !vtep.isUp { try socket.setUp(index: vtep.index) }
            return vtep
        }
    }
}

func kernel<T>(_ what: String, _ body: () throws(NetlinkError) -> T) throws(NetworkError) -> T {
    do {
        return try body()
    } catch {
        throw NetworkError(what, error)
    }
}
