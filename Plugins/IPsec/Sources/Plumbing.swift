import IPsecCore
import PaddockPluginKit
import PluginABI

/// The host's container network: a bridge holding the gateway address of the host's block, and a
/// veth per container with its far end in the container's namespace.
struct Plumbing {
    let namespace: HostNamespace
    let bridge: String
    let mtu: Int

    /// Host side settings: forwarding, and rp_filter loose because decrypted packets arrive on
    /// ipsec0 while replies leave through the bridge.
    func prepareHost() throws(DriverError) {
        try namespace.sysctl("net.ipv4.ip_forward", "1")
        try namespace.sysctl("net.ipv4.conf.all.rp_filter", "2")
        try namespace.sysctl("net.ipv4.conf.default.rp_filter", "2")
    }

    /// The bridge exists, is up and carries `gateway/prefix` (charon installs its routes with this
    /// source address, so it must exist before any CHILD SA).
    func ensureBridge(gateway: IPv4, subnet: IPv4Subnet) throws(DriverError) {
        if !(try namespace.ip(["link", "show", "dev", bridge]).succeeded) {
            try namespace.ipChecked(["link", "add", bridge, "type", "bridge"])
        }
        try namespace.ipChecked(["addr", "replace", "\(gateway)/\(subnet.prefix)", "dev", bridge])
        try namespace.ipChecked(["link", "set", bridge, "mtu", "\(mtu)", "up"])
    }

    static func hostVeth(for owner: String) -> String {
        var hash: UInt32 = 2166136261
        for byte in owner.utf8 { hash = (hash ^ UInt32(byte)) &* 16777619 }
        let hex = String(hash, radix: 16)
        return "ips" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// Runs `ip …` inside the container's namespace (a path, as CNI gives it).
    func inContainer(_ netns: String, _ arguments: [String]) throws(DriverError) -> System.Outcome {
        try System.run("/usr/bin/nsenter", ["--net=\(netns)", HostNamespace.ip] + arguments)
    }

    func attach(netns: String, ifName: String, hostVeth: String, address: IPv4, subnet: IPv4Subnet, gateway: IPv4) throws(DriverError) -> String {
        guard System.exists(netns) else {
            throw DriverError(code: PADDOCK_E_UNKNOWN_CONTAINER, "the container's network namespace \(netns) does not exist")
        }
        if try inContainer(netns, ["link", "show", "dev", ifName]).succeeded {
            throw DriverError(code: PADDOCK_E_EXISTS, "interface \(ifName) already exists in \(netns)",
                              details: "choose another ifName or delete the interface first")
        }
        _ = try namespace.ip(["link", "del", hostVeth])
        try namespace.ipChecked(["link", "add", hostVeth, "mtu", "\(mtu)", "type", "veth", "peer", "name", ifName, "mtu", "\(mtu)", "netns", netns])
        try namespace.ipChecked(["link", "set", hostVeth, "master", bridge, "up"])
        for step in [["link", "set", "lo", "up"], ["addr", "add", "\(address)/\(subnet.prefix)", "dev", ifName],
                     ["link", "set", ifName, "up"], ["route", "replace", "default", "via", "\(gateway)", "dev", ifName]] {
            let outcome = try inContainer(netns, step)
            guard outcome.succeeded else {
                throw .io("`ip \(step.joined(separator: " "))` in \(netns) failed", details: outcome.output.trimmedLines)
            }
        }
        let shown = try inContainer(netns, ["-o", "link", "show", "dev", ifName]).output
        return shown.split(separator: " ").drop { $0 != "link/ether" }.dropFirst().first.map(String.init) ?? ""
    }

    /// Removes the host end (which takes the container end with it); absent is fine.
    func detach(hostVeth: String) throws(DriverError) {
        let outcome = try namespace.ip(["link", "del", hostVeth])
        if !outcome.succeeded && !outcome.output.contains("Cannot find device") {
            throw .io("`ip link del \(hostVeth)` in \(namespace.label) failed", details: outcome.output.trimmedLines)
        }
    }

    func hostVethExists(_ hostVeth: String) throws(DriverError) -> Bool {
        try namespace.ip(["link", "show", "dev", hostVeth]).succeeded
    }
}
