import PaddockJSON

/// A host of the environment as the metadata service describes it, reduced to what IPsec needs.
public struct PeerHost: Equatable, Sendable {
    public var name: String
    public var address: IPv4
    public var subnet: IPv4Subnet

    public init(name: String, address: IPv4, subnet: IPv4Subnet) {
        self.name = name
        self.address = address
        self.subnet = subnet
    }

    /// One connection per remote host, named after its address as rancher-net does (`conn-<ip>`),
    /// with dashes for dots: swanctl.conf section names cannot contain dots.
    public var connectionName: String { "conn-" + address.description.replacingDots() }
}

/// Which host block of the environment subnet each host owns: the record's `subnet` when it has
/// one, otherwise the block whose index is the host address modulo the number of blocks (unique
/// while hosts' addresses differ in their low bits — give `subnet` explicitly otherwise).
public struct HostSubnetPlan: Sendable {
    public var environment: IPv4Subnet
    public var hostPrefix: Int

    public init(environment: IPv4Subnet, hostPrefix: Int) {
        self.environment = environment
        self.hostPrefix = hostPrefix
    }

    public func derived(for address: IPv4) -> IPv4Subnet {
        let blocks = UInt32(1) << UInt32(hostPrefix - environment.prefix)
        let index = blocks == 1 ? 0 : address.value % blocks
        let size = UInt32(1) << UInt32(32 - hostPrefix)
        return IPv4Subnet(network: IPv4(environment.network.value + index * size), prefix: hostPrefix)
    }

    /// A host record parsed, or why it is skipped (a malformed record never stops the others).
    public func host(_ record: JSONValue) -> Result<PeerHost, IPsecConfigError> {
        let name = record["name"]?.stringValue ?? record["uuid"]?.stringValue ?? "(unnamed)"
        guard let text = record["agent_ip"]?.stringValue, !text.isEmpty else {
            return .failure(IPsecConfigError("host \(name) has no agent_ip", fix: "publish the host's agent_ip in metadata"))
        }
        guard let address = IPv4(text) else {
            return .failure(IPsecConfigError("host \(name) has a malformed agent_ip \"\(text)\"", fix: "publish a dotted-quad IPv4 address"))
        }
        var subnet = derived(for: address)
        if let given = record["subnet"]?.stringValue {
            guard let parsed = IPv4Subnet(given), environment.contains(parsed) else {
                return .failure(IPsecConfigError("host \(name) has subnet \"\(given)\" that is not a CIDR inside \(environment)",
                                                 fix: "give a block of \(environment)"))
            }
            subnet = parsed
        }
        return .success(PeerHost(name: name, address: address, subnet: subnet))
    }
}

/// The peers to connect to: every well-formed host record but this host's own, one per address.
public struct PeerSet: Sendable {
    public var me: PeerHost
    public var peers: [PeerHost]
    public var skipped: [String]

    public init(me: PeerHost, hosts: [JSONValue], plan: HostSubnetPlan) {
        self.me = me
        var peers: [PeerHost] = []
        var skipped: [String] = []
        var seen: Set<IPv4> = [me.address]
        var owners: [(subnet: IPv4Subnet, name: String)] = [(me.subnet, me.name)]
        for record in hosts {
            switch plan.host(record) {
            case .failure(let error):
                skipped.append(error.message)
            case .success(let host):
                if host.address == me.address || host.name == me.name { continue }
                guard seen.insert(host.address).inserted else {
                    skipped.append("host \(host.name) repeats agent_ip \(host.address)")
                    continue
                }
                if let owner = owners.first(where: { $0.subnet.overlaps(host.subnet) }) {
                    skipped.append("host \(host.name) has subnet \(host.subnet), overlapping \(owner.name)'s \(owner.subnet); give it a \"subnet\" of its own")
                    continue
                }
                owners.append((host.subnet, host.name))
                peers.append(host)
            }
        }
        self.peers = peers.sorted { $0.address < $1.address }
        self.skipped = skipped
    }
}

extension String {
    func replacingDots() -> String { String(map { $0 == "." ? "-" : $0 }) }
}
