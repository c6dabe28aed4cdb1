/// Lets the containers' traffic through an iptables FORWARD chain whose policy is DROP (what
/// dockerd sets). An nftables `accept` ends only the base chain it is in: every other base chain
/// at the forward hook still runs, and a drop there is final. So an accept in Paddock's own table
/// cannot override iptables' DROP — the exemption has to be reached from the FORWARD chain itself.
/// Paddock owns one iptables chain per driver (rewritten whole with `iptables-restore --noflush`)
/// and needs exactly one jump to it at the top of FORWARD, checked with `-C` before it is inserted
/// so it never piles up, and removed on teardown. Nothing else in chains Paddock does not own.
public enum ForwardExemption {
    /// The `iptables-restore --noflush` input that (re)creates the driver's chain from scratch:
    /// declaring a chain in restore input flushes it, other chains are left alone.
    public static func restoreInput(_ settings: HostNATSettings) -> String {
        let chain = settings.forwardChain
        var lines = ["*filter", ":\(chain) - [0:0]"]
        for subnet in settings.subnets {
            // First the rule most packets match (everything a container sends, and all overlay
            // traffic, which is untracked): all three accept, so the order only saves work.
            lines.append("-A \(chain) -s \(subnet) -j ACCEPT")
            lines.append("-A \(chain) -d \(subnet) -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT")
            // The first packet of a host-port connection: new, but DNATed to a container by our table.
            lines.append("-A \(chain) -d \(subnet) -m conntrack --ctstate DNAT -j ACCEPT")
        }
        lines.append("COMMIT")
        return lines.joined(separator: "\n") + "\n"
    }

    static func jumpArguments(_ settings: HostNATSettings) -> [String] { ["FORWARD", "-j", settings.forwardChain] }

    static func apply(_ settings: HostNATSettings, _ runner: NamespaceCommand) throws(HostPortsError) {
        guard runner.locate("iptables") != nil else { return }  // no iptables: nothing can drop in FORWARD
        try runner.run("iptables-restore", ["-w", "--noflush"], stdin: restoreInput(settings))
        if try !runner.succeeds("iptables", ["-w", "-C"] + jumpArguments(settings)) {
            try runner.run("iptables", ["-w", "-I", "FORWARD", "1", "-j", settings.forwardChain])
        }
    }

    static func remove(_ settings: HostNATSettings, _ runner: NamespaceCommand) throws(HostPortsError) {
        guard runner.locate("iptables") != nil else { return }
        while try runner.succeeds("iptables", ["-w", "-D"] + jumpArguments(settings)) {}
        if try runner.succeeds("iptables", ["-w", "-F", settings.forwardChain]) {
            try runner.run("iptables", ["-w", "-X", settings.forwardChain])
        }
    }
}
