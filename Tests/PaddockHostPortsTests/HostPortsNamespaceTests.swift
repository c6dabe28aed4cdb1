import Foundation
import PaddockHostPorts
import PaddockPosix
import XCTest

/// Host ports on real kernel nftables, inside namespaces this test creates and removes.
final class HostPortsNamespaceTests: XCTestCase {
    var lab: NamespaceLab!

    override func setUpWithError() throws {
        try NamespaceLab.requireRoot()
        lab = NamespaceLab(String(name.hashValue & 0xffff, radix: 36))
        addTeardownBlock { [lab] in lab?.tearDown() }
        try lab.build()
    }

    func hostPorts(_ kv: MemoryKeyValue, owner: String = "testnet") throws -> HostPorts {
        let settings = HostNATSettings(owner: owner, subnets: [try XCTUnwrap(IPv4Subnet(lab.subnet))],
                                       localnetInterfaces: [lab.bridge], namespacePath: lab.namespacePath(lab.host1),
                                       lockPath: "/tmp/\(lab.prefix)-hostports.lock")
        addTeardownBlock { [settings] in _ = try? ChildProcess.run("/bin/rm", arguments: ["-f", settings.lockPath], timeoutSeconds: 10) }
        return HostPorts(settings: settings, store: kv.recordStore())
    }

    func testHostPortReachesTheContainerFromAnotherHostTheHostAndHairpinWithForwardPolicyDrop() throws {
        let bridgeNetfilter = try lab.dropForwardedTraffic()
        let token = "token-\(lab.prefix)"
        try lab.serve(in: lab.container1, port: 80, token: token)
        try lab.serve(in: lab.host2, port: 8081, token: "outside-\(lab.prefix)")
        let url = "http://\(lab.host1Address):8080/"
        XCTAssertNil(try lab.fetch(from: lab.host2, url, timeout: 1), "nothing is published yet")
        if bridgeNetfilter {
            XCTAssertNil(try lab.fetch(from: lab.container2, "http://\(lab.container1Address)/", timeout: 1),
                         "precondition: FORWARD DROP with bridge netfilter drops container-to-container traffic")
        }

        let kv = MemoryKeyValue()
        let ports = try hostPorts(kv)
        try ports.attach(container: "web", address: try XCTUnwrap(IPv4Address(lab.container1Address)),
                         mappings: [try PortMapping(parsing: "8080:80/tcp")])
        try ports.attach(container: "web", address: try XCTUnwrap(IPv4Address(lab.container1Address)),
                         mappings: [try PortMapping(parsing: "8080:80/tcp")])

        XCTAssertEqual(try lab.fetch(from: lab.host2, url), token, "from another host, through FORWARD policy DROP")
        XCTAssertEqual(try lab.fetch(from: lab.host1, url), token, "from the host itself")
        XCTAssertEqual(try lab.fetch(from: lab.host1, "http://127.0.0.1:8080/"), token, "from the host's loopback")
        XCTAssertEqual(try lab.fetch(from: lab.container2, url), token, "hairpin from a neighbour container")
        XCTAssertEqual(try lab.fetch(from: lab.container1, url), token, "hairpin from the container itself")
        XCTAssertEqual(try lab.fetch(from: lab.container1, "http://\(lab.host2Address):8081/"), "outside-\(lab.prefix)",
                       "container traffic leaving the host is masqueraded (host 2 has no route back to the subnet)")
        if bridgeNetfilter {
            XCTAssertEqual(try lab.fetch(from: lab.container2, "http://\(lab.container1Address)/"), token,
                           "containers on the bridge reach each other through FORWARD DROP")
        }
        // Host 2 learns a route to the containers: a direct new connection must still be dropped;
        // only what the host publishes is reachable from outside.
        try lab.ip(["-n", lab.host2, "route", "add", lab.subnet, "via", lab.host1Address])
        XCTAssertNil(try lab.fetch(from: lab.host2, "http://\(lab.container1Address)/", timeout: 1),
                     "the exemption lets DNATed and container-originated traffic through, not direct access")

        let table = try XCTUnwrap(try ports.installedTable())
        XCTAssertEqual(table.components(separatedBy: "dnat to 198.18.64.2:80").count - 1, 1, "one rule after two attaches:\n\(table)")
        let forward = try lab.inside(lab.host1, "/usr/sbin/iptables", ["-w", "-S", "FORWARD"])
        XCTAssertEqual(forward.components(separatedBy: "-j PADDOCK-TESTNET").count - 1, 1, "one jump:\n\(forward)")
        XCTAssertTrue(forward.contains("-P FORWARD DROP"), "the policy is left as it was")
        XCTAssertFalse(try flows().isEmpty, "the fetches left conntrack entries")

        let report = try ports.detach(container: "web")
        XCTAssertGreaterThan(report.flowsRemoved, 0, "\(report)")
        XCTAssertEqual(report.warnings, [])
        XCTAssertEqual(try flows(), "", "no stale conntrack entries DNATed to the container")
        XCTAssertFalse(try XCTUnwrap(try ports.installedTable()).contains("dnat to"), "no DNAT rules left")
        XCTAssertNil(try lab.fetch(from: lab.host2, url, timeout: 1), "the port is gone")
        XCTAssertEqual(kv.keys(""), [], "the record is gone")
        XCTAssertEqual(try ports.detach(container: "web"), HostPortsReport(), "a repeated DEL succeeds")

        try ports.teardown()
        XCTAssertNil(try ports.installedTable())
        let after = try lab.inside(lab.host1, "/usr/sbin/iptables", ["-w", "-S"])
        XCTAssertFalse(after.contains("PADDOCK"), after)
    }

    /// The reason for the FORWARD jump: an accept in a base chain of another table (ours) does not
    /// stop iptables' DROP policy at the same hook.
    func testAnAcceptInOurOwnForwardChainDoesNotOverrideIptablesDrop() throws {
        try lab.dropForwardedTraffic()
        try lab.serve(in: lab.host2, port: 8081, token: "outside-\(lab.prefix)")
        try lab.inside(lab.host1, "/usr/sbin/nft", ["-f", "-"], stdin: """
            table ip \(lab.prefix)probe {
            \tchain forward { type filter hook forward priority -10; policy accept; accept; }
            \tchain postrouting { type nat hook postrouting priority 100; policy accept; ip saddr \(lab.subnet) masquerade; }
            }
            """)
        XCTAssertNil(try lab.fetch(from: lab.container1, "http://\(lab.host2Address):8081/", timeout: 1),
                     "still dropped by the iptables FORWARD policy")
        let kv = MemoryKeyValue()
        try hostPorts(kv).attach(container: "any", address: try XCTUnwrap(IPv4Address(lab.container1Address)), mappings: [])
        XCTAssertEqual(try lab.fetch(from: lab.container1, "http://\(lab.host2Address):8081/"), "outside-\(lab.prefix)",
                       "through once the exemption is reached from FORWARD itself")
    }

    func testStaleUDPFlowIsRemovedWhenThePortMovesToAnotherContainer() throws {
        let kv = MemoryKeyValue()
        let ports = try hostPorts(kv)
        let first = try XCTUnwrap(IPv4Address(lab.container1Address))
        try ports.attach(container: "dns-a", address: first, mappings: [try PortMapping(parsing: "5353:53/udp")])
        // A datagram: its conntrack entry is what would keep steering the "connection" to the old
        // container after the port moves.
        try lab.inside(lab.host2, "/bin/bash", ["-c", "echo ping > /dev/udp/\(lab.host1Address)/5353"])
        let before = try lab.inside(lab.host1, "/usr/sbin/conntrack", ["-L", "-p", "udp", "--reply-src", lab.container1Address])
        XCTAssertTrue(before.contains("dport=5353"), "the datagram was DNATed to the first container: \(before)")

        try ports.detach(container: "dns-a")
        try ports.attach(container: "dns-b", address: try XCTUnwrap(IPv4Address(lab.container2Address)),
                         mappings: [try PortMapping(parsing: "5353:53/udp")])
        let after = try lab.inside(lab.host1, "/usr/sbin/conntrack", ["-L", "-p", "udp", "--reply-src", lab.container1Address])
        XCTAssertFalse(after.contains("dport=5353"), "no flow still points at the old container: \(after)")
        XCTAssertTrue(try XCTUnwrap(try ports.installedTable()).contains("udp dport 5353 dnat to 198.18.64.3:53"))
    }

    func testAnADDWithoutMappingsSetsUpHostNATOnceThenRunsNothingUntilReconcile() throws {
        let ports = try hostPorts(MemoryKeyValue())
        let address = try XCTUnwrap(IPv4Address(lab.container1Address))
        try ports.attach(container: "plain1", address: address, mappings: [])
        XCTAssertTrue(try XCTUnwrap(try ports.installedTable()).contains("masquerade"), "host NAT is set up by the first ADD")
        // Remove the table behind Paddock's back: the next ADD without mappings does not look.
        try lab.inside(lab.host1, "/usr/sbin/nft", ["delete", "table", "ip", ports.settings.tableName])
        try ports.attach(container: "plain2", address: address, mappings: [])
        XCTAssertNil(try ports.installedTable(), "no process ran for an ADD with nothing to publish")
        try ports.reconcile()
        XCTAssertNotNil(try ports.installedTable(), "reconcile (the agent's periodic notify) repairs it")
    }

    func testConflictingMappingChangesNothing() throws {
        let kv = MemoryKeyValue()
        let ports = try hostPorts(kv)
        try ports.attach(container: "web", address: try XCTUnwrap(IPv4Address(lab.container1Address)),
                         mappings: [try PortMapping(parsing: "8080:80")])
        let before = try ports.installedTable()
        XCTAssertThrowsError(try ports.attach(container: "other", address: try XCTUnwrap(IPv4Address(lab.container2Address)),
                                              mappings: [try PortMapping(parsing: "198.18.0.1:8080:80")])) { error in
            XCTAssertTrue("\(error)".contains("already published by container web"), "\(error)")
        }
        XCTAssertEqual(try ports.installedTable(), before)
        XCTAssertEqual(kv.keys(""), ["hostports/web"])
    }

    func testTwoDriversKeepTheirOwnTables() throws {
        let a = try hostPorts(MemoryKeyValue(), owner: "neta")
        let b = try hostPorts(MemoryKeyValue(), owner: "netb")
        try a.attach(container: "x", address: try XCTUnwrap(IPv4Address(lab.container1Address)), mappings: [try PortMapping(parsing: "7001:80")])
        try b.attach(container: "y", address: try XCTUnwrap(IPv4Address(lab.container2Address)), mappings: [try PortMapping(parsing: "7002:80")])
        try a.detach(container: "x")
        XCTAssertTrue(try XCTUnwrap(try b.installedTable()).contains("tcp dport 7002"), "driver a's change left driver b's table alone")
        try a.teardown()
        XCTAssertNotNil(try b.installedTable())
    }

    /// Conntrack entries DNATed from host port 8080 to container 1's web server.
    func flows() throws -> String {
        try lab.inside(lab.host1, "/usr/sbin/conntrack", ["-L", "-p", "tcp", "--reply-src", lab.container1Address,
                                                          "--reply-port-src", "80"])
            .split(separator: "\n").filter { $0.contains("dport=8080") }.joined(separator: "\n")
    }
}
