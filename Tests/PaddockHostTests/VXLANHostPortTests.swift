import Foundation
import XCTest

/// Host ports through the VXLAN driver (PaddockNetworkCore's host-port hook) on two host
/// namespaces whose iptables FORWARD policy is DROP, as after dockerd started.
final class VXLANHostPortTests: XCTestCase {
    static let subnet = "198.19.0.0/16"

    func request(_ container: NetTestbed.Container, portMappings: [[String: Any]] = []) throws -> String {
        var config: [String: Any] = ["cniVersion": "1.1.0", "name": "paddock-vxlan", "type": "paddock"]
        if !portMappings.isEmpty { config["runtimeConfig"] = ["portMappings": portMappings] }
        let object: [String: Any] = ["containerId": container.name, "netns": container.netnsPath, "ifName": "eth0", "config": config]
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    func attach(_ testbed: NetTestbed, _ container: NetTestbed.Container, portMappings: [[String: Any]] = []) throws -> String {
        let result = try testbed.paddock(on: container.host, ["plugin", "invoke", "vxlan", "network.add",
                                                              try request(container, portMappings: portMappings)])
        XCTAssertEqual(result.status, .exited(0), "\(result.stdout)\(result.stderr)")
        let body = try XCTUnwrap(result.json as? [String: Any], result.stdout)
        let cidr = try XCTUnwrap((body["ips"] as? [[String: Any]])?.first?["address"] as? String)
        return String(cidr.split(separator: "/")[0])
    }

    func fetch(_ testbed: NetTestbed, from namespace: String, _ url: String, timeout: Int = 3) throws -> String? {
        let run = try testbed.run(in: namespace, ["curl", "-s", "--max-time", "\(timeout)", url], check: false, timeout: Double(timeout + 10))
        return run.status == .exited(0) ? run.stdout : nil
    }

    func testServerInAContainerIsReachedThroughTheHostPortFromAnotherHostAndTheHostItself() throws {
        _ = try Harness.swiftPlugin("VXLAN")
        let testbed = try NetTestbed(self, tag: "hp")
        for name in ["h1", "h2"] { try testbed.addHost(name) }
        try testbed.writeMetadata(on: ["h1", "h2"], records: testbed.records())
        for name in ["h1", "h2"] {
            let namespace = testbed.hosts[name]!.namespace
            try testbed.run(in: namespace, ["iptables", "-w", "-P", "FORWARD", "DROP"])
            if FileManager.default.fileExists(atPath: "/proc/sys/net/bridge/bridge-nf-call-iptables") {
                try testbed.run(in: namespace, ["sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=1"])
            }
            try testbed.enable("VXLAN", as: "vxlan", on: name, config: ["subnet": Self.subnet])
        }
        let web = try testbed.addContainer("h1web", on: "h1")
        let neighbour = try testbed.addContainer("h1nb", on: "h1")
        let remote = try testbed.addContainer("h2c", on: "h2")
        let webAddress = try attach(testbed, web, portMappings: [["hostPort": 8080, "containerPort": 80, "protocol": "tcp"]])
        _ = try attach(testbed, neighbour)
        let remoteAddress = try attach(testbed, remote)

        let token = "token-\(testbed.prefix)"
        let root = try testbed.directory.subdirectory("www")
        try Data(token.utf8).write(to: URL(fileURLWithPath: "\(root)/index.html"))
        try testbed.start(in: web.namespace, ["busybox", "httpd", "-f", "-p", "80", "-h", root])
        let h1 = testbed.hosts["h1"]!, h2 = testbed.hosts["h2"]!
        for _ in 0..<50 where try fetch(testbed, from: web.namespace, "http://127.0.0.1/", timeout: 1) != token { usleep(100_000) }
        let url = "http://\(h1.agentIP):8080/"

        XCTAssertEqual(try fetch(testbed, from: h2.namespace, url), token, "from another host")
        XCTAssertEqual(try fetch(testbed, from: h1.namespace, url), token, "from the host itself")
        XCTAssertEqual(try fetch(testbed, from: h1.namespace, "http://127.0.0.1:8080/"), token, "from the host's loopback")
        XCTAssertEqual(try fetch(testbed, from: neighbour.namespace, url), token, "hairpin from a neighbour on the bridge")
        XCTAssertEqual(try fetch(testbed, from: web.namespace, url), token, "hairpin from the container itself")
        XCTAssertEqual(try fetch(testbed, from: remote.namespace, url), token, "from a container on another host")
        XCTAssertEqual(try fetch(testbed, from: remote.namespace, "http://\(webAddress)/"), token,
                       "container to container across hosts over VXLAN, through FORWARD DROP")
        // That flow needs no NAT, so neither host tracked it (the driver's raw-priority notrack);
        // the host-port flows above, which do, are tracked.
        for host in [h1, h2] {
            let direct = try testbed.run(in: host.namespace, ["conntrack", "-L", "-p", "tcp", "-s", remoteAddress, "-d", webAddress],
                                         check: false).stdout
            XCTAssertFalse(direct.contains("dport=80 "), "overlay flow tracked on \(host.name):\n\(direct)")
        }
        let published = try testbed.run(in: h1.namespace, ["conntrack", "-L", "-p", "tcp", "--reply-src", webAddress], check: false).stdout
        XCTAssertTrue(published.contains("dport=8080"), "host-port flows are tracked:\n\(published)")

        let del = try testbed.paddock(on: "h1", ["plugin", "invoke", "vxlan", "network.del", try request(web)])
        XCTAssertEqual(del.status, .exited(0), "\(del.stdout)\(del.stderr)")
        let table = try testbed.run(in: h1.namespace, ["nft", "list", "table", "ip", "paddock_vxlan"]).stdout
        XCTAssertFalse(table.contains("dnat to"), "no DNAT rule left:\n\(table)")
        let flows = try testbed.run(in: h1.namespace, ["conntrack", "-L", "-p", "tcp", "--reply-src", webAddress]).stdout
        XCTAssertFalse(flows.contains("dport=8080"), "no stale conntrack entry:\n\(flows)")
        XCTAssertNil(try fetch(testbed, from: h2.namespace, url, timeout: 1), "the port is closed")
        let repeated = try testbed.paddock(on: "h1", ["plugin", "invoke", "vxlan", "network.del", try request(web)])
        XCTAssertEqual(repeated.status, .exited(0), "a repeated DEL succeeds: \(repeated.stderr)")
    }

    /// GC releases what the runtime no longer lists, host ports included: the DNAT rule goes, the
    /// port is free for the next container.
    func testGarbageCollectionWithdrawsTheHostPortsOfWhatItReleases() throws {
        _ = try Harness.swiftPlugin("VXLAN")
        let testbed = try NetTestbed(self, tag: "hg")
        try testbed.addHost("h1")
        try testbed.writeMetadata(on: ["h1"], records: testbed.records())
        try testbed.enable("VXLAN", as: "vxlan", on: "h1", config: ["subnet": Self.subnet])
        let h1 = testbed.hosts["h1"]!
        let kept = try testbed.addContainer("h1keep", on: "h1")
        let gone = try testbed.addContainer("h1gone", on: "h1")
        _ = try attach(testbed, kept, portMappings: [["hostPort": 8081, "containerPort": 80, "protocol": "tcp"]])
        _ = try attach(testbed, gone, portMappings: [["hostPort": 8082, "containerPort": 80, "protocol": "tcp"]])
        var table = try testbed.run(in: h1.namespace, ["nft", "list", "table", "ip", "paddock_vxlan"]).stdout
        XCTAssertTrue(table.contains("dport 8082 dnat to"), table)

        let gc: [String: Any] = ["config": ["cniVersion": "1.1.0", "name": "paddock-vxlan", "type": "paddock",
                                            "cni.dev/valid-attachments": [["containerID": kept.name, "ifname": "eth0"]]]]
        let collected = try testbed.paddock(on: "h1", ["plugin", "invoke", "vxlan", "network.gc",
                                                       String(decoding: try JSONSerialization.data(withJSONObject: gc), as: UTF8.self)])
        XCTAssertEqual(collected.status, .exited(0), "\(collected.stdout)\(collected.stderr)")
        XCTAssertEqual((collected.json as? [String: Any])?["released"] as? [String], ["\(gone.name)/eth0"])
        table = try testbed.run(in: h1.namespace, ["nft", "list", "table", "ip", "paddock_vxlan"]).stdout
        XCTAssertFalse(table.contains("dport 8082"), "the collected container's DNAT rule is gone:\n\(table)")
        XCTAssertTrue(table.contains("dport 8081 dnat to"), "the listed container keeps its port:\n\(table)")

        // The port is free again: another container publishes it.
        let next = try testbed.addContainer("h1next", on: "h1")
        _ = try attach(testbed, next, portMappings: [["hostPort": 8082, "containerPort": 80, "protocol": "tcp"]])
    }

    func testBadPortMappingFailsTheADDAndLeavesNothing() throws {
        _ = try Harness.swiftPlugin("VXLAN")
        let testbed = try NetTestbed(self, tag: "hq")
        try testbed.addHost("h1")
        try testbed.writeMetadata(on: ["h1"], records: testbed.records())
        try testbed.enable("VXLAN", as: "vxlan", on: "h1", config: ["subnet": Self.subnet])
        let container = try testbed.addContainer("h1bad", on: "h1")
        let result = try testbed.paddock(on: "h1", ["plugin", "invoke", "vxlan", "network.add",
                                                    try request(container, portMappings: [["hostPort": 0, "containerPort": 80]])])
        XCTAssertEqual(result.status, .exited(1), result.stdout)
        XCTAssertTrue((result.stdout + result.stderr).contains("hostPort and containerPort in 1–65535"), result.stdout + result.stderr)
        let links = try testbed.json(container.namespace, ["link", "show"]).compactMap { $0["ifname"] as? String }
        XCTAssertEqual(links, ["lo"], "the attach was undone")
    }
}
