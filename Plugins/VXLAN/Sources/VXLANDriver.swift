import PaddockNetlink
import PaddockNetworkCore
import PaddockNetworkDriverKit
import PaddockPluginKit
import PluginABI
import VXLANCore

let definition = PluginDefinition(
    name: "vxlan", version: "0.1.0", kinds: [.network], threadSafe: true, driver: VXLANDriver.self)

@c(paddock_plugin_entry)
public func paddockPluginEntry(_ negotiation: UnsafeMutablePointer<paddock_negotiation>?) -> Int32 {
    definition.negotiate(negotiation)
}

/// rancher-net's VXLAN backend as a CNI-semantics network driver. Every ADD and every
/// `metadata.changed` reconciles the VTEP's peer entries against the metadata's hosts.
final class VXLANDriver: NetworkDriver {
    let host: HostClient
    let enableConfig: JSONValue
    let store: HostLeaseStore

    init(host: HostClient, config: JSONValue) throws(DriverError) {
        self.host = host
        enableConfig = config
        store = HostLeaseStore(host: host)
        // A wrong enable config is refused at enable time; only the subnet may come later, with
        // the network config of a request.
        if config["subnet"] != nil {
            do { _ = try VXLANSettings.parse(enable: config) } catch { throw DriverError(error) }
        }
    }

    func add(_ request: JSONValue) throws(DriverError) -> JSONValue {
        do throws(NetworkError) {
            let identity = try AttachmentIdentity(containerID: request["containerId"]?.stringValue, ifName: request["ifName"]?.stringValue,
                                                  netns: request["netns"]?.stringValue, requireNetns: true)
            let settings = try VXLANSettings.parse(enable: enableConfig, request: request["config"])
            let topology = try Topology.load(host)
            let block = try topology.planner.ownBlock(try settings.blocks())
            try NetworkRegistry(store: store).register(settings.network, subnet: settings.subnet)
            let record = settings.stored.serialized()
            if try store.value("vxlan/network/\(settings.network)") != record {
                try store.put("vxlan/network/\(settings.network)", record)
            }
            let socket = try kernel("netlink socket") { () throws(NetlinkError) in try NetlinkSocket() }
            let vtep = try reconcile(socket, topology: topology, vtepSettings: settings)
            let attach = ContainerAttach(
                config: BridgeAttachmentConfig(network: settings.network, bridge: settings.bridge, block: block, mtu: vtep.mtu),
                ipam: IPAM(store: store, network: settings.network))
            let result = try attach.add(identity)
            do throws(NetworkError) {
                try hostPorts(including: settings).publish(identity, hostInterface: result.hostInterface,
                                                           address: result.address.address, request: request)
            } catch {
                try? attach.del(identity)
                throw error
            }
            host.log(.debug, "attached \(identity.owner) as \(result.address) on \(settings.bridge)")
            return result.cniResult(cniVersion: request["config"]?["cniVersion"]?.stringValue ?? "1.1.0")
        } catch {
            throw DriverError(error)
        }
    }

    /// Succeeds when the namespace, the link or the lease is already gone.
    func del(_ request: JSONValue) throws(DriverError) -> JSONValue {
        do throws(NetworkError) {
            let identity = try AttachmentIdentity(containerID: request["containerId"]?.stringValue, ifName: request["ifName"]?.stringValue,
                                                  netns: request["netns"]?.stringValue, requireNetns: false)
            let settings = try VXLANSettings.parse(enable: enableConfig, request: request["config"])
            try hostPorts(including: settings).withdraw(identity)
            try attachment(settings, block: settings.subnet).del(identity)
            return .object([:])
        } catch {
            throw DriverError(error)
        }
    }

    func check(_ request: JSONValue) throws(DriverError) -> JSONValue {
        do throws(NetworkError) {
            let identity = try AttachmentIdentity(containerID: request["containerId"]?.stringValue, ifName: request["ifName"]?.stringValue,
                                                  netns: request["netns"]?.stringValue, requireNetns: true)
            let settings = try VXLANSettings.parse(enable: enableConfig, request: request["config"])
            let topology = try Topology.load(host)
            let block = try topology.planner.ownBlock(try settings.blocks())
            try attachment(settings, block: block).check(identity)
            let socket = try kernel("netlink socket") { () throws(NetlinkError) in try NetlinkSocket() }
            guard let vtep = try kernel("look up VTEP", { () throws(NetlinkError) in try socket.link(named: settings.vtep) }),
                  vtep.kind == "vxlan", vtep.isUp else {
                throw NetworkError(.io, "VTEP \(settings.vtep) is missing or down", details: "run `paddock network reconcile \(host.pluginName)`")
            }
            return .object([:])
        } catch {
            throw DriverError(error)
        }
    }

    /// Releases every attachment of the request's network not listed in `cni.dev/valid-attachments`.
    func gc(_ request: JSONValue) throws(DriverError) -> JSONValue {
        do throws(NetworkError) {
            let settings = try VXLANSettings.parse(enable: enableConfig, request: request["config"])
            let valid = Set((request["config"]?["cni.dev/valid-attachments"]?.arrayValue ?? []).compactMap { item -> String? in
                guard let id = item["containerID"]?.stringValue, let ifName = item["ifname"]?.stringValue else { return nil }
                return "\(id)/\(ifName)"
            })
            let ipam = IPAM(store: store, network: settings.network)
            let attach = attachment(settings, block: settings.subnet)
            let ports = try hostPorts(including: settings)
            var released: [JSONValue] = []
            for owner in try ipam.owners() where !valid.contains(owner) {
                let parts = owner.split(separator: "/", maxSplits: 1).map(String.init)
                guard parts.count == 2,
                      let identity = try? AttachmentIdentity(containerID: parts[0], ifName: parts[1], netns: nil, requireNetns: false) else {
                    try ipam.release(owner: owner)
                    continue
                }
                // Like DEL: the host ports go first, so a collected container frees its ports too.
                try ports.withdraw(identity)
                try attach.del(identity)
                released.append(.string(owner))
            }
            return .object(["released": .array(released)])
        } catch {
            throw DriverError(error)
        }
    }

    /// Ready when this host's metadata record has an agent address held by one of its links.
    func status(_ request: JSONValue) throws(DriverError) -> JSONValue {
        do throws(NetworkError) {
            let topology = try Topology.load(host)
            let socket = try kernel("netlink socket") { () throws(NetlinkError) in try NetlinkSocket() }
            _ = try VTEPDevice.underlay(socket, topology.selfHost)
            return .object([:])
        } catch {
            throw DriverError(code: PADDOCK_E_UNAVAILABLE, error.message, details: error.details)
        }
    }

    /// `{"type":"metadata.changed"}` (and `{"type":"reconcile"}`): bring every served network's
    /// peer entries in line with metadata.
    func notify(_ event: JSONValue) throws(DriverError) -> JSONValue {
        guard let type = event["type"]?.stringValue, type == "metadata.changed" || type == "reconcile" else {
            return .object(["ignored": .string(event["type"]?.stringValue ?? "(no type)")])
        }
        do throws(NetworkError) {
            let networks = try servedNetworks()
            guard let first = networks.first else {
                return .object(["reconciled": false, "reason": "no network configured yet (no subnet in the enable config, no ADD so far)"])
            }
            let topology = try Topology.load(host)
            let socket = try kernel("netlink socket") { () throws(NetlinkError) in try NetlinkSocket() }
            var summary = ReconcileSummary()
            try reconcile(socket, topology: topology, vtepSettings: first, summary: &summary)
            try hostPorts(including: nil).reconcile()
            return summary.json(peers: topology.planner.peers.count, networks: networks.map(\.network))
        } catch {
            throw DriverError(error)
        }
    }

    // MARK: - Shared steps

    func attachment(_ settings: VXLANSettings, block: IPv4Network) -> ContainerAttach {
        ContainerAttach(config: BridgeAttachmentConfig(network: settings.network, bridge: settings.bridge, block: block,
                                                       mtu: settings.mtu ?? 1450),
                        ipam: IPAM(store: store, network: settings.network))
    }

    /// The host-port hook over every network this host serves (one nftables table for the driver).
    func hostPorts(including current: VXLANSettings?) throws(NetworkError) -> ContainerHostPorts {
        var networks = try servedNetworks()
        if let current, !networks.contains(where: { $0.network == current.network }) { networks.append(current) }
        return ContainerHostPorts(owner: host.pluginName, networks: networks.map { .init(subnet: $0.subnet, bridge: $0.bridge) },
                                  store: store, lockDirectory: host.stateDirectory)
    }

    /// The enable config's network (if it names a subnet) and every network an ADD registered.
    func servedNetworks() throws(NetworkError) -> [VXLANSettings] {
        var networks: [String: VXLANSettings] = [:]
        if enableConfig["subnet"] != nil {
            let settings = try VXLANSettings.parse(enable: enableConfig)
            networks[settings.network] = settings
        }
        for key in try store.keys(prefix: "vxlan/network/") {
            guard let text = try store.value(key), let stored = try? JSONValue(parsing: text),
                  let settings = try? VXLANSettings.parse(enable: enableConfig, request: stored) else {
                host.log(.warning, "ignoring unreadable network record \(key) in the store")
                continue
            }
            networks[settings.network] = settings
        }
        return networks.keys.sorted().compactMap { networks[$0] }
    }

    /// Host set-up (forwarding, VTEP with every network's tunnel address) and the peer reconcile.
    @discardableResult
    func reconcile(_ socket: NetlinkSocket, topology: Topology, vtepSettings: VXLANSettings) throws(NetworkError) -> Link {
        var summary = ReconcileSummary()
        return try reconcile(socket, topology: topology, vtepSettings: vtepSettings, summary: &summary)
    }

    @discardableResult
    func reconcile(_ socket: NetlinkSocket, topology: Topology, vtepSettings: VXLANSettings,
                   summary: inout ReconcileSummary) throws(NetworkError) -> Link {
        var networks = try servedNetworks()
        if !networks.contains(where: { $0.network == vtepSettings.network }) { networks.append(vtepSettings) }
        let blocks = networks.compactMap { try? $0.blocks() }
        let tunnels = blocks.compactMap { try? topology.planner.ownBlock($0) }.map(AddressBlocks.tunnelAddress)
        do {
            try Sysctl.write("net/ipv4/ip_forward", "1")
        } catch {
            throw NetworkError("enable IPv4 forwarding", error)
        }
        let vtep = try VTEPDevice(socket: socket, settings: vtepSettings, selfHost: topology.selfHost).ensure(tunnelAddresses: tunnels)
        let (desired, skipped) = topology.planner.desired(blocks)
        for reason in topology.skipped + skipped { host.log(.warning, reason) }
        let reconciler = PeerReconciler(socket: socket, vtep: vtep)
        let plan = ReconcilePlan(desired: desired, current: try reconciler.current())
        try reconciler.apply(plan)
        summary = ReconcileSummary(added: plan.add.count, removed: plan.remove.count, skipped: topology.skipped + skipped)
        if !plan.isEmpty { host.log(.info, "reconciled \(vtep.name): \(plan.add.count) entries added, \(plan.remove.count) removed") }
        return vtep
    }
}

/// What one reconcile did, for `notify`'s answer and `paddock network reconcile`.
struct ReconcileSummary {
    var added = 0
    var removed = 0
    var skipped: [String] = []

    func json(peers: Int, networks: [String]) -> JSONValue {
        .object([
            "reconciled": true, "peers": .number(Double(peers)), "networks": .array(networks.map { .string($0) }),
            "added": .number(Double(added)), "removed": .number(Double(removed)), "skipped": .array(skipped.map { .string($0) }),
        ])
    }
}
