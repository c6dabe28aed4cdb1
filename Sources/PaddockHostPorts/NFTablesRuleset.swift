/// Renders the nftables script that replaces a driver's whole table in one transaction: the
/// empty `table` line makes `delete table` valid when the table does not exist yet, and `nft -f`
/// applies the three statements atomically (all or nothing; packets never see a half table).
public enum NFTablesRuleset {
    public static func script(_ settings: HostNATSettings, _ records: [ContainerPorts]) -> String {
        let table = "ip \(settings.tableName)"
        return "table \(table) {}\ndelete table \(table)\n" + body(settings, records)
    }

    /// Removes the table; the leading empty definition makes it a no-op when it is absent.
    public static func deletion(_ settings: HostNATSettings) -> String {
        "table ip \(settings.tableName) {}\ndelete table ip \(settings.tableName)\n"
    }

    static func body(_ settings: HostNATSettings, _ records: [ContainerPorts]) -> String {
        var lines = ["table ip \(settings.tableName) {"]
        lines += chain("untracked", hook: "type filter hook prerouting priority -300; policy accept;",
                       rules: untrackedRules(settings))
        // Numeric priorities: nft 1.0.6 accepts `dstnat` on prerouting only, not on output.
        lines += chain("prerouting", hook: "type nat hook prerouting priority -100; policy accept;",
                       rules: ["fib daddr type local jump hostports"])
        lines += chain("output", hook: "type nat hook output priority -100; policy accept;",
                       rules: ["fib daddr type local jump hostports"])
        lines += chain("hostports", hook: nil, rules: dnatRules(records))
        lines += chain("postrouting", hook: "type nat hook postrouting priority 100; policy accept;",
                       rules: masqueradeRules(settings))
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    static func chain(_ name: String, hook: String?, rules: [String]) -> [String] {
        ["\tchain \(name) {"] + (hook.map { ["\t\t\($0)"] } ?? []) + rules.map { "\t\t\($0)" } + ["\t}"]
    }

    /// One DNAT per mapping; mappings bound to one address come before the any-address ones so
    /// a specific binding wins.
    static func dnatRules(_ records: [ContainerPorts]) -> [String] {
        let entries = records.sorted { $0.container < $1.container }.flatMap { record in
            record.mappings.map { (record, $0) }
        }
        let ordered = entries.filter { $0.1.hostIP != nil } + entries.filter { $0.1.hostIP == nil }
        return ordered.map { record, mapping in
            let address = mapping.hostIP.map { "ip daddr \($0) " } ?? ""
            return "\(address)\(mapping.proto.rawValue) dport \(mapping.hostPort) dnat to \(record.address):\(mapping.containerPort)"
                + " comment \"\(record.container)\""
        }
    }

    /// Container to container within one subnet (across the overlay or on the bridge) needs no
    /// NAT, so conntrack is skipped for it (raw priority): two fewer lookups per packet on the
    /// forward path, and overlay flows never fill the host's conntrack table (docs/benchmarks.md
    /// §4). Not for a local destination: a hairpinned host port's reply goes to the bridge address,
    /// and a remote container may reach a host port on this host's bridge address — both need
    /// their NAT state. Traffic between two subnets is masqueraded, so it stays tracked.
    static func untrackedRules(_ settings: HostNATSettings) -> [String] {
        settings.subnets.map { "ip saddr \($0) ip daddr \($0) fib daddr type != local notrack" }
    }

    static func masqueradeRules(_ settings: HostNATSettings) -> [String] {
        var rules: [String] = []
        for subnet in settings.subnets {
            // Hairpin: a container reaching a host port that leads back into its own subnet must
            // see the reply come from the host, or the reply bypasses the reverse NAT.
            rules.append("ct status dnat ip saddr \(subnet) ip daddr \(subnet) masquerade")
        }
        // 127.0.0.1:PORT from the host itself: the source cannot leave loopback as it is.
        rules.append("ct status dnat ip saddr 127.0.0.0/8 masquerade")
        if settings.masqueradeOutgoing {
            for subnet in settings.subnets {
                rules.append("ip saddr \(subnet) ip daddr != \(subnet) masquerade")
            }
        }
        return rules
    }
}
