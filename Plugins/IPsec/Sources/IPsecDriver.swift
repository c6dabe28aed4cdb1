import IPsecCore
import PaddockNetlink
import PaddockNetworkCore
import PaddockNetworkDriverKit
import PaddockPluginKit
import PluginABI

/// rancher-net's ipsec backend: containers on a per-host bridge, a host block of the environment
/// subnet each, and one IKEv2/ESP tunnel per remote host carrying the blocks between hosts.
final class IPsecDriver: NetworkDriver {
    let host: HostClient
    let settings: IPsecSettings
    let namespace: HostNamespace
    let directory: String
    let charon: Charon
    let swanctl: Swanctl
    private var cachedChoice: DataPathChoice?

    init(host: HostClient, config: JSONValue) throws(DriverError) {
        self.host = host
        do {
            settings = try IPsecSettings(config)
        } catch {
            throw .invalidConfig("ipsec: \(error.message)", details: error.fix)
        }
        namespace = HostNamespace(name: settings.netns)
        directory = host.stateDirectory.isEmpty ? "/run/paddock/ipsec" : host.stateDirectory
        try System.makeDirectories(directory)
        charon = Charon(namespace: namespace, directory: directory, executable: settings.charonPath, swanctl: settings.swanctlPath)
        swanctl = Swanctl(executable: settings.swanctlPath, uri: charon.uri)
    }

    var plan: HostSubnetPlan { HostSubnetPlan(environment: settings.subnet, hostPrefix: settings.hostPrefix) }
    var lockPath: String { "\(directory)/lock" }
    static let network = "ipsec"

    /// Host ports and host NAT (rancher's ipsec network has `host_ports: true`): one nftables table
    /// for the driver, the environment subnet masqueraded only toward addresses outside it, so
    /// container-to-container traffic keeps its source and matches the tunnels' selectors.
    func hostPorts() -> ContainerHostPorts {
        ContainerHostPorts(owner: host.pluginName, networks: [.init(subnet: settings.subnet.coreNetwork, bridge: settings.bridge)],
                           store: HostLeaseStore(host: host), lockDirectory: directory)
    }

    /// The shared container attach over this host's bridge and block (IPAM in the plugin store).
    func attachment(block: IPv4Subnet) -> ContainerAttach {
        ContainerAttach(config: BridgeAttachmentConfig(network: Self.network, bridge: settings.bridge, block: block.coreNetwork,
                                                       mtu: UInt32(settings.mtu), hostVethPrefix: "ips"),
                        ipam: IPAM(store: HostLeaseStore(host: host), network: Self.network))
    }

    func dataPath() throws(DriverError) -> DataPathChoice {
        if let cachedChoice { return cachedChoice }
        let support = try DataPathProbe.kernelSupport(in: namespace)
        do {
            let choice = try DataPathChoice.choose(requested: settings.dataPath, kernel: support)
            cachedChoice = choice
            return choice
        } catch {
            throw .invalidConfig("ipsec: \(error.message)", details: error.fix)
        }
    }

    /// This host's record, which must have a usable agent_ip.
    func me() throws(DriverError) -> PeerHost {
        let record = try host.metadata(.object(["type": "self"]))
        switch plan.host(record) {
        case .success(let me): return me
        case .failure(let error):
            throw DriverError(code: PADDOCK_E_INVALID_ENV, "ipsec: this host's metadata record is unusable: \(error.message)", details: error.fix)
        }
    }

    func peers(of me: PeerHost) throws(DriverError) -> PeerSet {
        let hosts = try host.metadata(.object(["type": "hosts"])).arrayValue ?? []
        let set = PeerSet(me: me, hosts: hosts, plan: plan)
        for reason in set.skipped { host.log(.warning, "peer skipped: \(reason)") }
        return set
    }

    // MARK: reconcile

    /// Brings the host to the desired state: bridge, charon running with its config, one
    /// connection per peer, none for departed peers, tunnels initiated. Safe to repeat.
    func reconcile() throws(DriverError) -> JSONValue {
        try System.withLock(lockPath) { () throws(DriverError) -> JSONValue in
            let choice = try dataPath()
            let me = try me()
            let set = try peers(of: me)
            let psk = try PresharedKey.resolve(settings: settings, host: host, peerCount: set.peers.count)
            try HostTuning.apply(in: namespace)
            // The gateway address must exist before any CHILD SA: charon routes with it as source.
            let attach = attachment(block: me.subnet)
            try namespace.inside { () throws(NetworkError) in
                let socket: NetlinkSocket
                do throws(NetlinkError) { socket = try NetlinkSocket() } catch { throw NetworkError("netlink socket", error) }
                try attach.ensureBridge(socket)
            }
            let charonConfig = CharonConfig(viciSocket: charon.viciSocket, logFile: charon.logPath, dataPath: choice.path).render()
            let restarted = try charon.ensure(config: charonConfig)
            if let restarted { host.log(.info, "charon started in \(namespace.label): \(restarted)") }
            // swanctl.conf is renamed into place only after charon loaded it, so an unchanged file
            // with an unchanged charon means there is nothing to load (most ADDs).
            let swanctlFile = "\(directory)/swanctl.conf"
            let rendered = SwanctlConfig(me: me, peers: set.peers, psk: psk.key, gcm: choice.gcm).render()
            var removed: [String] = []
            if restarted != nil || System.readFile(swanctlFile) != rendered {
                let wanted = Set(set.peers.map(\.connectionName))
                removed = try swanctl.loadedConnections().filter { !wanted.contains($0) }
                let candidate = "\(directory)/swanctl.candidate.conf"
                try System.writeFile(candidate, rendered)
                try swanctl.load(file: candidate)
                try System.move(candidate, to: swanctlFile)
                for connection in removed { host.log(.info, "removed connection \(connection): its host left the environment") }
            }
            let plan = Reconciliation(desired: set.peers, listing: try swanctl.listing())
            for stale in plan.terminate {
                let done = try swanctl.terminate(stale)
                host.log(.info, "terminated the SAs of departed host connection \(stale)\(done ? "" : " (swanctl reported a failure)")")
            }
            for connection in plan.initiate { _ = try swanctl.initiate(connection) }
            return .object([
                "data_path": .string(choice.path.rawValue), "data_path_reason": .string(choice.reason),
                "charon_restarted": restarted.map { .string($0) } ?? .null,
                "self": .object(["name": .string(me.name), "address": .string("\(me.address)"), "subnet": .string("\(me.subnet)")]),
                "peers": .array(set.peers.map { .object(["name": .string($0.name), "address": .string("\($0.address)"),
                                                         "subnet": .string("\($0.subnet)"), "connection": .string($0.connectionName)]) }),
                "skipped": .array(set.skipped.map { .string($0) }),
                "removed": .array(removed.map { .string($0) }),
                "terminated": .array(plan.terminate.map { .string($0) }),
                "initiated": .array(plan.initiate.map { .string($0) }),
                "psk_source": .string(psk.source),
            ])
        }
    }

    /// Any event reconciles the tunnels; host ports and host NAT are re-applied as well (they may
    /// have been flushed), which ADD skips to stay fast.
    func notify(_ event: JSONValue) throws(DriverError) -> JSONValue {
        var report = try reconcile()
        let ports = hostPorts()
        try namespace.inside { () throws(NetworkError) in try ports.reconcile() }
        if case .object(var fields) = report {
            fields["host_ports"] = "reconciled"
            report = .object(fields)
        }
        return report
    }

    // MARK: CNI operations (the attach itself is the shared core's)

    func identity(_ request: JSONValue, requireNetns: Bool) throws(DriverError) -> AttachmentIdentity {
        do {
            return try AttachmentIdentity(containerID: request["containerId"]?.stringValue, ifName: request["ifName"]?.stringValue,
                                          netns: request["netns"]?.stringValue, requireNetns: requireNetns)
        } catch {
            throw DriverError(ipsec: error)
        }
    }

    func add(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let target = try identity(request, requireNetns: true)
        let summary = try reconcile()
        let me = try me()
        let attach = attachment(block: me.subnet)
        let ports = hostPorts()
        let result = try namespace.inside { () throws(NetworkError) -> AttachResult in
            let result = try attach.add(target)
            do throws(NetworkError) {
                try ports.publish(target, hostInterface: result.hostInterface, address: result.address.address, request: request)
            } catch {
                try? attach.del(target)
                throw error
            }
            return result
        }
        host.log(.debug, "attached \(target.owner) as \(result.address) (\(summary["data_path"]?.stringValue ?? ""))")
        return result.cniResult(cniVersion: request["config"]?["cniVersion"]?.stringValue ?? "1.1.0")
    }

    /// Succeeds when the namespace, the link or the lease is already gone.
    func del(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let target = try identity(request, requireNetns: false)
        let attach = attachment(block: settings.subnet)
        let ports = hostPorts()
        try namespace.inside { () throws(NetworkError) in
            try ports.withdraw(target)
            try attach.del(target)
        }
        return .object([:])
    }

    func check(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let target = try identity(request, requireNetns: true)
        let attach = attachment(block: try me().subnet)
        try namespace.inside { () throws(NetworkError) in try attach.check(target) }
        guard charon.runningPID() != nil else {
            throw DriverError(code: PADDOCK_E_UNAVAILABLE, "ipsec: charon is not running in \(namespace.label)",
                              details: "a reconcile (network add, notify, or `paddock plugin call ipsec reconcile`) restarts it")
        }
        return .object([:])
    }

    /// Releases every attachment not listed in `cni.dev/valid-attachments`.
    func gc(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let valid = Set((request["config"]?["cni.dev/valid-attachments"]?.arrayValue ?? []).compactMap { item -> String? in
            guard let id = item["containerID"]?.stringValue, let ifName = item["ifname"]?.stringValue else { return nil }
            return "\(id)/\(ifName)"
        })
        let attach = attachment(block: settings.subnet)
        let ports = hostPorts()
        let released = try namespace.inside { () throws(NetworkError) -> [String] in
            var released: [String] = []
            for owner in try attach.ipam.owners() where !valid.contains(owner) {
                let parts = owner.split(separator: "/", maxSplits: 1).map(String.init)
                if parts.count == 2, let identity = try? AttachmentIdentity(containerID: parts[0], ifName: parts[1], netns: nil, requireNetns: false) {
                    try ports.withdraw(identity)
                    try attach.del(identity)
                } else {
                    try attach.ipam.release(owner: owner)
                }
                released.append(owner)
            }
            return released
        }
        return .object(["released": .array(released.map { .string($0) })])
    }

    /// Ready when charon runs and answers; the answer says which ESP data path is active and the
    /// state of each peer's tunnel (`plugin inspect` shows it as the runtime section).
    func status(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let choice = try dataPath()
        guard let pid = charon.runningPID(), charon.answers() else {
            throw DriverError(code: PADDOCK_E_UNAVAILABLE, "ipsec: charon is not running in \(namespace.label)",
                              details: "data path: \(choice.path.label); a reconcile (network add, or a notify from `paddock agent`) restarts it")
        }
        let listing = try swanctl.listing()
        let tunnels: [String: JSONValue] = listing.connections.reduce(into: [:]) { result, entry in
            result[entry.key] = .object(["ike": .array(entry.value.ikeStates.map { .string($0) }),
                                         "child": .array(entry.value.childStates.map { .string($0) }),
                                         "up": .bool(entry.value.isUp)])
        }
        return .object([
            "ready": true,
            "data_path": .string(choice.path.rawValue),
            "data_path_description": .string(choice.path.label),
            "data_path_reason": .string(choice.reason),
            "aes_gcm": .bool(choice.gcm),
            "charon_pid": .number(Double(pid)),
            "namespace": .string(settings.netns ?? ""),
            "tunnels": .object(tunnels),
        ])
    }
}
