import IPsecCore
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
    let plumbing: Plumbing
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
        plumbing = Plumbing(namespace: namespace, bridge: settings.bridge, mtu: settings.mtu)
    }

    var plan: HostSubnetPlan { HostSubnetPlan(environment: settings.subnet, hostPrefix: settings.hostPrefix) }
    var lockPath: String { "\(directory)/lock" }

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
            let psk = try PresharedKey.resolve(settings: settings, host: host)
            try plumbing.prepareHost()
            try plumbing.ensureBridge(gateway: me.subnet.firstHost, subnet: me.subnet)
            let charonConfig = CharonConfig(viciSocket: charon.viciSocket, logFile: charon.logPath, dataPath: choice.path).render()
            let restarted = try charon.ensure(config: charonConfig)
            if let restarted { host.log(.info, "charon started in \(namespace.label): \(restarted)") }
            let swanctlFile = "\(directory)/swanctl.conf"
            try System.writeFile(swanctlFile, SwanctlConfig(me: me, peers: set.peers, psk: psk.key, gcm: choice.gcm).render())
            let wanted = Set(set.peers.map(\.connectionName))
            let removed = try swanctl.loadedConnections().filter { !wanted.contains($0) }
            try swanctl.load(file: swanctlFile)
            for connection in removed { host.log(.info, "removed connection \(connection): its host left the environment") }
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

    func notify(_ event: JSONValue) throws(DriverError) -> JSONValue {
        try reconcile()
    }

    // MARK: CNI operations

    struct Attachment {
        var containerId: String
        var ifName: String
        var owner: String { "\(containerId)/\(ifName)" }
    }

    func attachment(_ request: JSONValue) throws(DriverError) -> Attachment {
        guard let container = request["containerId"]?.stringValue, !container.isEmpty else {
            throw DriverError(code: PADDOCK_E_INVALID_ENV, "ipsec: containerId is required")
        }
        let ifName = request["ifName"]?.stringValue ?? "eth0"
        func bad(_ text: String) -> Bool { text.contains("/") || text.contains("..") || text.utf8.contains(0) || text.contains("\n") }
        guard !bad(container), container.utf8.count <= 255 else {
            throw DriverError(code: PADDOCK_E_INVALID_ENV, "ipsec: containerId is malformed (/, .., NUL or over 255 bytes)")
        }
        do {
            try IPsecSettings.validateInterfaceName(ifName, key: "ifName")
        } catch {
            throw DriverError(code: PADDOCK_E_INVALID_ENV, "ipsec: \(error.message)", details: error.fix)
        }
        guard !bad(ifName) else { throw DriverError(code: PADDOCK_E_INVALID_ENV, "ipsec: ifName is malformed") }
        return Attachment(containerId: container, ifName: ifName)
    }

    func add(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let target = try attachment(request)
        guard let netns = request["netns"]?.stringValue, !netns.isEmpty else {
            throw DriverError(code: PADDOCK_E_INVALID_ENV, "ipsec: netns is required for add")
        }
        let summary = try reconcile()
        let me = try me()
        return try System.withLock(lockPath) { () throws(DriverError) -> JSONValue in
            let leases = Leases(host: host, subnet: me.subnet)
            let address = try leases.lease(for: target.owner)
            let hostVeth = Plumbing.hostVeth(for: target.owner)
            let mac: String
            do throws(DriverError) {
                mac = try plumbing.attach(netns: netns, ifName: target.ifName, hostVeth: hostVeth, address: address,
                                          subnet: me.subnet, gateway: me.subnet.firstHost)
            } catch {
                try? plumbing.detach(hostVeth: hostVeth)
                try? leases.release(target.owner)
                throw error
            }
            host.log(.debug, "attached \(target.owner) as \(address) (\(summary["data_path"]?.stringValue ?? ""))")
            return .object([
                "cniVersion": .string(request["config"]?["cniVersion"]?.stringValue ?? "1.1.0"),
                "interfaces": [.object(["name": .string(hostVeth)]),
                               .object(["name": .string(target.ifName), "mac": .string(mac), "mtu": .number(Double(settings.mtu)), "sandbox": .string(netns)])],
                "ips": [.object(["address": .string("\(address)/\(me.subnet.prefix)"), "gateway": .string("\(me.subnet.firstHost)"), "interface": 1])],
                "routes": [.object(["dst": "0.0.0.0/0", "gw": .string("\(me.subnet.firstHost)")])],
                "dns": .object([:]),
            ])
        }
    }

    func del(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let target = try attachment(request)
        try System.withLock(lockPath) { () throws(DriverError) in
            try plumbing.detach(hostVeth: Plumbing.hostVeth(for: target.owner))
            try Leases(host: host, subnet: nil).release(target.owner)
        }
        return .object([:])
    }

    func check(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let target = try attachment(request)
        guard try Leases(host: host, subnet: nil).address(of: target.owner) != nil else {
            throw DriverError(code: PADDOCK_E_UNKNOWN_CONTAINER, "ipsec: no address leased to \(target.owner)")
        }
        guard try plumbing.hostVethExists(Plumbing.hostVeth(for: target.owner)) else {
            throw DriverError(code: PADDOCK_E_UNKNOWN_CONTAINER, "ipsec: the host end of \(target.owner)'s veth is missing")
        }
        guard charon.runningPID() != nil else {
            throw DriverError(code: PADDOCK_E_UNAVAILABLE, "ipsec: charon is not running in \(namespace.label)")
        }
        return .object([:])
    }

    func gc(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let valid = Set((request["config"]?["cni.dev/valid-attachments"]?.arrayValue ?? []).compactMap { item -> String? in
            guard let id = item["containerID"]?.stringValue, let ifName = item["ifname"]?.stringValue else { return nil }
            return "\(id)/\(ifName)"
        })
        return try System.withLock(lockPath) { () throws(DriverError) -> JSONValue in
            let leases = Leases(host: host, subnet: nil)
            var released: [JSONValue] = []
            for owner in try leases.owners() where !valid.contains(owner) {
                try plumbing.detach(hostVeth: Plumbing.hostVeth(for: owner))
                try leases.release(owner)
                released.append(.string(owner))
            }
            return .object(["released": .array(released)])
        }
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
