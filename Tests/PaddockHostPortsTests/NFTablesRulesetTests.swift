@testable import PaddockHostPorts
import XCTest

final class NFTablesRulesetTests: XCTestCase {
    let settings = HostNATSettings(owner: "vxlan", subnets: [IPv4Subnet("198.18.64.0/24")!])

    func record(_ container: String, _ address: String, _ mappings: [String]) throws -> ContainerPorts {
        ContainerPorts(container: container, address: try XCTUnwrap(IPv4Address(address)),
                       mappings: try mappings.map { try PortMapping(parsing: $0) })
    }

    func testScriptReplacesTheWholeTableInOneTransaction() throws {
        let script = NFTablesRuleset.script(settings, [
            try record("web", "198.18.64.2", ["8080:80/tcp", "198.18.0.1:5353:53/udp"]),
            try record("api", "198.18.64.3", ["9000:9000"]),
        ])
        XCTAssertEqual(script, """
            table ip paddock_vxlan {}
            delete table ip paddock_vxlan
            table ip paddock_vxlan {
            \tchain untracked {
            \t\ttype filter hook prerouting priority -300; policy accept;
            \t\tip saddr 198.18.64.0/24 ip daddr 198.18.64.0/24 fib daddr type != local notrack
            \t}
            \tchain prerouting {
            \t\ttype nat hook prerouting priority -100; policy accept;
            \t\tfib daddr type local jump hostports
            \t}
            \tchain output {
            \t\ttype nat hook output priority -100; policy accept;
            \t\tfib daddr type local jump hostports
            \t}
            \tchain hostports {
            \t\tip daddr 198.18.0.1 udp dport 5353 dnat to 198.18.64.2:53 comment "web"
            \t\ttcp dport 9000 dnat to 198.18.64.3:9000 comment "api"
            \t\ttcp dport 8080 dnat to 198.18.64.2:80 comment "web"
            \t}
            \tchain postrouting {
            \t\ttype nat hook postrouting priority 100; policy accept;
            \t\tct status dnat ip saddr 198.18.64.0/24 ip daddr 198.18.64.0/24 masquerade
            \t\tct status dnat ip saddr 127.0.0.0/8 masquerade
            \t\tip saddr 198.18.64.0/24 ip daddr != 198.18.64.0/24 masquerade
            \t}
            }

            """)
    }

    func testNoRecordsLeavesHostNATAndAnEmptyPortChain() {
        let script = NFTablesRuleset.script(settings, [])
        XCTAssertTrue(script.contains("\tchain hostports {\n\t}"), script)
        XCTAssertTrue(script.contains("ip saddr 198.18.64.0/24 ip daddr != 198.18.64.0/24 masquerade"))
        XCTAssertFalse(script.contains("dnat to"))
    }

    func testOutgoingMasqueradeCanBeSwitchedOff() {
        var quiet = settings
        quiet.masqueradeOutgoing = false
        let script = NFTablesRuleset.script(quiet, [])
        XCTAssertFalse(script.contains("daddr != "))
        XCTAssertTrue(script.contains("ct status dnat ip saddr 198.18.64.0/24 ip daddr 198.18.64.0/24 masquerade"), "hairpin stays")
    }

    func testOwnerNamesTheTableAndChainSafely() {
        let odd = HostNATSettings(owner: "My Driver-2", subnets: [])
        XCTAssertEqual(odd.tableName, "paddock_my_driver_2")
        XCTAssertEqual(odd.forwardChain, "PADDOCK-MY_DRIVER_2")
        let long = HostNATSettings(owner: String(repeating: "x", count: 40), subnets: [])
        XCTAssertLessThanOrEqual(long.forwardChain.count, 28, "iptables chain names are at most 28 characters")
        XCTAssertEqual(NFTablesRuleset.deletion(settings), "table ip paddock_vxlan {}\ndelete table ip paddock_vxlan\n")
    }

    func testForwardExemptionIsItsOwnChainRewrittenWhole() {
        XCTAssertEqual(ForwardExemption.restoreInput(settings), """
            *filter
            :PADDOCK-VXLAN - [0:0]
            -A PADDOCK-VXLAN -s 198.18.64.0/24 -j ACCEPT
            -A PADDOCK-VXLAN -d 198.18.64.0/24 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A PADDOCK-VXLAN -d 198.18.64.0/24 -m conntrack --ctstate DNAT -j ACCEPT
            COMMIT

            """)
        XCTAssertEqual(ForwardExemption.jumpArguments(settings), ["FORWARD", "-j", "PADDOCK-VXLAN"])
    }

    func testConntrackSelectsOnlyFlowsDNATedToTheContainerPort() throws {
        let web = try record("web", "198.18.64.2", ["198.18.0.1:8080:80/udp"])
        XCTAssertEqual(ConntrackFlush.arguments(web, web.mappings[0]), [
            "-D", "-p", "udp", "--orig-port-dst", "8080", "--reply-src", "198.18.64.2", "--reply-port-src", "80",
            "--orig-dst", "198.18.0.1",
        ])
        XCTAssertEqual(ConntrackFlush.deletedCount("conntrack v1.4.7 (conntrack-tools): 4 flow entries have been deleted.\n"), 4)
        XCTAssertEqual(ConntrackFlush.deletedCount("conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted."), 0)
        XCTAssertNil(ConntrackFlush.deletedCount("conntrack: operation failed"))
    }

    func testConflictsNameBothContainersAndTheFix() throws {
        let web = try record("web", "198.18.64.2", ["8080:80"])
        let cases: [(ContainerPorts, Bool)] = [
            (try record("api", "198.18.64.3", ["8080:81"]), true),
            (try record("api", "198.18.64.3", ["198.18.0.1:8080:81"]), true),
            (try record("api", "198.18.64.3", ["8080:80/udp"]), false),
            (try record("api", "198.18.64.3", ["8081:80"]), false),
            (try record("web", "198.18.64.2", ["8080:81"]), false),
        ]
        for (candidate, clashes) in cases {
            if clashes {
                XCTAssertThrowsError(try HostPorts.checkConflicts(candidate, against: [web])) { error in
                    XCTAssertTrue("\(error)".contains("already published by container web"), "\(error)")
                }
            } else {
                XCTAssertNoThrow(try HostPorts.checkConflicts(candidate, against: [web]), "\(candidate)")
            }
        }
        let twice = try record("api", "198.18.64.3", ["8080:80", "198.18.0.1:8080:81"])
        XCTAssertThrowsError(try HostPorts.checkConflicts(twice, against: []))
    }
}
