/// How one driver's host NAT is set up on this host.
public struct HostNATSettings: Sendable, Equatable {
    /// The driver that owns the rules; it names the nftables table and the iptables chain, so
    /// two drivers never overwrite each other's rules.
    public var owner: String
    /// The container subnets behind this host: masqueraded when leaving it, hairpinned, and let
    /// through a FORWARD chain whose policy is DROP.
    public var subnets: [IPv4Subnet]
    /// Bridges that get `route_localnet=1`, so 127.0.0.1:PORT reaches a container.
    public var localnetInterfaces: [String]
    /// Masquerade container traffic leaving for addresses outside `subnets`.
    public var masqueradeOutgoing: Bool
    /// The network namespace to work in (a path such as /run/netns/NAME); nil is the caller's.
    public var namespacePath: String?
    /// The lock that serializes read–render–apply across processes (CNI runs them in parallel).
    public var lockPath: String

    public init(owner: String, subnets: [IPv4Subnet], localnetInterfaces: [String] = [], masqueradeOutgoing: Bool = true,
                namespacePath: String? = nil, lockPath: String? = nil) {
        self.owner = owner
        self.subnets = subnets
        self.localnetInterfaces = localnetInterfaces
        self.masqueradeOutgoing = masqueradeOutgoing
        self.namespacePath = namespacePath
        self.lockPath = lockPath ?? "/run/paddock/hostports-\(HostNATSettings.identifier(owner)).lock"
    }

    /// `paddock_<owner>`: the nftables table Paddock owns for this driver.
    public var tableName: String { "paddock_\(HostNATSettings.identifier(owner))" }

    /// `PADDOCK-<OWNER>`: the iptables filter chain holding the FORWARD exemption (≤ 28 characters).
    public var forwardChain: String { String("PADDOCK-\(HostNATSettings.identifier(owner).uppercased())".prefix(28)) }

    static func identifier(_ owner: String) -> String {
        String(owner.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }

    func validate() throws(HostPortsError) {
        guard !owner.isEmpty, owner.utf8.count <= 40 else {
            throw HostPortsError(.invalidSettings, "host NAT owner \"\(owner)\" must be 1–40 characters", hint: "pass the driver's name")
        }
        for name in localnetInterfaces where name.isEmpty || name.utf8.count > 15 || name.contains("/") || name == "." || name == ".." {
            throw HostPortsError(.invalidSettings, "interface name \"\(name)\" is not a Linux interface name", hint: "use the bridge's name (≤ 15 characters)")
        }
    }
}
