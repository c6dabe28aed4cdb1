import Foundation
import XCTest

/// The VXLAN driver across hosts: 3 host namespaces on an underlay, 2 containers each, attached
/// through `paddock plugin invoke vxlan network.add` run inside each host; peers from metadata.
final class VXLANDriverTests: XCTestCase {
    static let subnet = "198.19.0.0/16"

    /// Sets up `hostNames` with the driver enabled and metadata listing all of them.
    func makeCluster(_ tag: String, hosts hostNames: [String]) throws -> NetTestbed {
        _ = try Harness.swiftPlugin("VXLAN")
        let testbed = try NetTestbed(self, tag: tag)
        for name in hostNames { try testbed.addHost(name) }
        try testbed.writeMetadata(on: hostNames, records: testbed.records())
        for name in hostNames { try testbed.enable("VXLAN", as: "vxlan", on: name, config: ["subnet": Self.subnet]) }
        return testbed
    }

    func request(_ container: NetTestbed.Container, ifName: String = "eth0", id: String? = nil,
                 config: [String: Any] = [:]) throws -> String {
        var netConfig: [String: Any] = ["cniVersion": "1.1.0", "name": "paddock-vxlan", "type": "paddock"]
        for (key, value) in config { netConfig[key] = value }
        let object: [String: Any] = ["containerId": id ?? container.name, "netns": container.netnsPath, "ifName": ifName, "config": netConfig]
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    /// ADD through the host's paddock; returns the container's address (no prefix).
    func attach(_ testbed: NetTestbed, _ container: NetTestbed.Container) throws -> String {
        let result = try testbed.paddock(on: container.host, ["plugin", "invoke", "vxlan", "network.add", try request(container)])
        XCTAssertEqual(result.status, .exited(0), "\(result.stdout)\(result.stderr)")
        let body = try XCTUnwrap(result.json as? [String: Any], result.stdout)
        let ips = try XCTUnwrap(body["ips"] as? [[String: Any]])
        let cidr = try XCTUnwrap(ips.first?["address"] as? String)
        return String(cidr.split(separator: "/")[0])
    }

    func vtepEntries(_ testbed: NetTestbed, on host: String) throws -> (fdb: Set<String>, neighbours: Set<String>, routes: Set<String>) {
        let namespace = testbed.hosts[host]!.namespace
        let fdb = try testbed.json(namespace, tool: "bridge", ["fdb", "show", "dev", "vtep1042"])
            .compactMap { entry -> String? in (entry["dst"] as? String).map { "\(entry["mac"] as? String ?? "")>\($0)" } }
        let neighbourRecords = try testbed.json(namespace, ["neigh", "show", "dev", "vtep1042"])
        // rancher-net's entries are permanent: never aged out, never probed.
        for record in neighbourRecords {
            XCTAssertEqual(record["state"] as? [String], ["PERMANENT"], "neighbour entry on \(host): \(record)")
        }
        let neighbours = neighbourRecords.map { "\($0["dst"] as? String ?? "")>\($0["lladdr"] as? String ?? "")" }
        let routes = try testbed.json(namespace, ["route", "show", "dev", "vtep1042"])
            .map { "\($0["dst"] as? String ?? "")>\($0["gateway"] as? String ?? "")" }
        return (Set(fdb), Set(neighbours), Set(routes))
    }

    func reconcile(_ testbed: NetTestbed, on host: String) throws -> [String: Any] {
        let result = try testbed.paddock(on: host, ["network", "reconcile", "vxlan", "--format", "json"])
        XCTAssertEqual(result.status, .exited(0), "\(result.stdout)\(result.stderr)")
        return (result.json as? [String: Any]) ?? [:]
    }

    func testThreeHostsTwoContainersEachAllPingAllAndPeersComeAndGo() throws {
        let names = ["h1", "h2", "h3"]
        let testbed = try makeCluster("a", hosts: names)
        var addresses: [String: String] = [:]
        for host in names {
            for index in 1...2 {
                let container = try testbed.addContainer("\(host)c\(index)", on: host)
                addresses[container.name] = try attach(testbed, container)
            }
        }
        // Each host leases from its own block (agent .11/.12/.13 → 198.19.11.0/24 …).
        XCTAssertEqual(addresses["h1c1"], "198.19.11.2")
        XCTAssertEqual(addresses["h1c2"], "198.19.11.3")
        XCTAssertEqual(addresses["h3c2"], "198.19.13.3")
        XCTAssertEqual(Set(addresses.values).count, 6)

        // The VTEP is rancher-net's: vtep1042, VNI 1042, port 4789, learning off, MAC 0e:00:+agent IP, MTU underlay − 50.
        let details = try testbed.json(testbed.hosts["h1"]!.namespace, ["-d", "link", "show", "vtep1042"]).first ?? [:]
        let data = ((details["linkinfo"] as? [String: Any])?["info_data"] as? [String: Any]) ?? [:]
        XCTAssertEqual(data["id"] as? Int, 1042)
        XCTAssertEqual(data["port"] as? Int, 4789)
        XCTAssertEqual(data["learning"] as? Bool, false)
        XCTAssertEqual(details["address"] as? String, "0e:00:c6:12:00:0b")
        XCTAssertEqual(details["mtu"] as? Int, 1450)
        let eth0 = try testbed.json(testbed.containers["h1c1"]!.namespace, ["link", "show", "eth0"]).first ?? [:]
        XCTAssertEqual(eth0["mtu"] as? Int, 1450)

        // Every container reaches every other, on the same host and across hosts.
        for (from, _) in addresses.sorted(by: { $0.key < $1.key }) {
            for (to, address) in addresses.sorted(by: { $0.key < $1.key }) where to != from {
                XCTAssertTrue(try testbed.ping(from: testbed.containers[from]!, address), "\(from) → \(to) (\(address))")
            }
        }

        // On the wire: container traffic crosses the underlay only VXLAN-encapsulated (VNI 1042, port 4789).
        let capture = try testbed.captureUnderlay(filter: ["udp", "port", "4789"])
        XCTAssertTrue(try testbed.ping(from: testbed.containers["h1c1"]!, addresses["h2c1"]!))
        let packets = capture.finish()
        XCTAssertTrue(packets.contains("198.18.0.11.") && packets.contains("> 198.18.0.12.4789: VXLAN"), packets)
        XCTAssertTrue(packets.contains("vni 1042"), packets)
        XCTAssertTrue(packets.contains("\(addresses["h1c1"]!) > \(addresses["h2c1"]!): ICMP echo request"), packets)

        // h1 carries one FDB, neighbour and route entry per peer.
        let before = try vtepEntries(testbed, on: "h1")
        XCTAssertEqual(before.fdb, ["0e:00:c6:12:00:0c>198.18.0.12", "0e:00:c6:12:00:0d>198.18.0.13"])
        XCTAssertEqual(before.neighbours, ["198.19.12.0>0e:00:c6:12:00:0c", "198.19.13.0>0e:00:c6:12:00:0d"])
        XCTAssertEqual(before.routes, ["198.19.12.0/24>198.19.12.0", "198.19.13.0/24>198.19.13.0"])

        // Something that is not ours, to prove reconcile leaves it alone.
        let h1 = testbed.hosts["h1"]!.namespace
        try testbed.ip(h1, ["neigh", "add", "198.18.0.99", "lladdr", "02:00:00:00:00:99", "dev", "eth0", "nud", "permanent"])
        try testbed.ip(h1, ["route", "add", "198.18.200.0/24", "via", "198.18.0.99", "dev", "eth0"])

        // h3 leaves: removed from metadata on h1 and h2, which reconcile.
        try testbed.writeMetadata(on: ["h1", "h2"], records: testbed.records(["h1", "h2"]))
        for host in ["h1", "h2"] {
            let summary = try reconcile(testbed, on: host)
            XCTAssertEqual(summary["removed"] as? Int, 3, "\(host): \(summary)")
            XCTAssertEqual(summary["added"] as? Int, 0)
        }
        let after = try vtepEntries(testbed, on: "h1")
        XCTAssertEqual(after.fdb, ["0e:00:c6:12:00:0c>198.18.0.12"])
        XCTAssertEqual(after.neighbours, ["198.19.12.0>0e:00:c6:12:00:0c"])
        XCTAssertEqual(after.routes, ["198.19.12.0/24>198.19.12.0"])
        XCTAssertFalse(try vtepEntries(testbed, on: "h2").fdb.contains { $0.hasSuffix("198.18.0.13") })
        XCTAssertTrue(try testbed.ping(from: testbed.containers["h1c1"]!, addresses["h2c2"]!), "h1 ↔ h2 still works")
        XCTAssertFalse(try testbed.ping(from: testbed.containers["h1c1"]!, addresses["h3c1"]!, timeoutSeconds: 1), "h3 is unreachable")
        XCTAssertTrue(try testbed.json(h1, ["neigh", "show", "dev", "eth0"]).contains { $0["dst"] as? String == "198.18.0.99" })
        XCTAssertFalse(try testbed.json(h1, ["route", "show", "198.18.200.0/24"]).isEmpty)

        // A second reconcile has nothing to do.
        XCTAssertEqual(try reconcile(testbed, on: "h1")["removed"] as? Int, 0)

        // h3 returns, with a malformed peer record beside it: skipped and named, the rest reconciled.
        var records = testbed.records()
        records.append(["name": "broken", "agent_ip": "198.18.0.300", "labels": [String: String]()])
        try testbed.writeMetadata(on: ["h1", "h2"], records: records)
        let summary = try reconcile(testbed, on: "h1")
        XCTAssertEqual(summary["added"] as? Int, 3, "\(summary)")
        let skipped = (summary["skipped"] as? [String]) ?? []
        XCTAssertTrue(skipped.contains { $0.contains("broken") && $0.contains("malformed agent_ip") }, "\(skipped)")
        let table = try testbed.paddock(on: "h2", ["network", "reconcile", "vxlan"])
        XCTAssertEqual(table.status, .exited(0), table.stderr)
        XCTAssertTrue(table.stdout.contains("skipped:") && table.stdout.contains("broken"), table.stdout)
        XCTAssertEqual(try vtepEntries(testbed, on: "h1").fdb, before.fdb)
        XCTAssertEqual(try vtepEntries(testbed, on: "h1").routes, before.routes)
        for from in ["h1c1", "h2c2"] {
            XCTAssertTrue(try testbed.ping(from: testbed.containers[from]!, addresses["h3c1"]!), "\(from) → h3c1 after h3 returned")
        }

        // DEL on every container frees the leases and the veths; a second DEL still succeeds.
        for (name, container) in testbed.containers {
            let payload = try request(container)
            for _ in 0..<2 {
                let result = try testbed.paddock(on: container.host, ["plugin", "invoke", "vxlan", "network.del", payload])
                XCTAssertEqual(result.status, .exited(0), "\(name): \(result.stdout)\(result.stderr)")
            }
            XCTAssertTrue(try testbed.json(container.namespace, ["link", "show", "type", "veth"]).isEmpty, name)
        }
        for host in names {
            XCTAssertEqual(try containerVeths(testbed, on: host), [], "\(host): no host-side veth left")
        }
        for host in names {
            let store = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(testbed.hosts[host]!.stateDir)/kv/vxlan.json")))
            let table = (((store as? [String: Any])?["entries"] as? [String: Any])?["ipam/paddock-vxlan"] as? [String: Any])?["text"] as? String
            XCTAssertEqual(table, "{}", "\(host): every lease released")
        }
    }

    func testBadInputIsRefusedWithClearCodes() throws {
        let testbed = try makeCluster("b", hosts: ["h1"])
        let first = try testbed.addContainer("h1c1", on: "h1")
        _ = try attach(testbed, first)

        func invoke(_ operation: String, _ payload: String) throws -> (Int?, String) {
            let result = try testbed.paddock(on: "h1", ["plugin", "invoke", "vxlan", operation, payload])
            let body = result.json as? [String: Any]
            if result.status == .exited(0) { return (0, result.stdout) }
            return ((body?["code"] as? Int), "\(body?["msg"] as? String ?? result.stdout)\(result.stderr)")
        }

        // ADD on an ifname that already exists fails and leaves the first attachment alone.
        let (again, message) = try invoke("network.add", try request(first, id: "other"))
        XCTAssertEqual(again, 102, message)
        XCTAssertTrue(message.contains("already exists"), message)
        let (sameAgain, _) = try invoke("network.add", try request(first))
        XCTAssertEqual(sameAgain, 102)
        let (checked, checkMessage) = try invoke("network.check", try request(first))
        XCTAssertEqual(checked, 0, checkMessage)

        // Container IDs and interface names with '/', '..', NUL or over-long: invalid environment (4).
        let second = try testbed.addContainer("h1c2", on: "h1")
        for id in ["a/b", "..", "x..y", "nul\u{0}id", String(repeating: "a", count: 300)] {
            let (code, text) = try invoke("network.add", try request(second, id: id))
            XCTAssertEqual(code, 4, "id \(id.prefix(20)): \(text)")
        }
        for ifName in ["eth/0", "..", "e\u{0}0", "a-very-long-ifname"] {
            let (code, text) = try invoke("network.add", try request(second, ifName: ifName))
            XCTAssertEqual(code, 4, "ifName \(ifName): \(text)")
        }

        // Malformed driver config in the network config: invalid config (7), nothing attached.
        for bad: [String: Any] in [["subnet": "banana"], ["subnet": "198.19.0.0/16", "vni": "x"], ["blockPrefix": 40]] {
            let (code, text) = try invoke("network.add", try request(second, config: bad))
            XCTAssertEqual(code, 7, "\(bad): \(text)")
        }
        // A request that is not JSON: decode error (6).
        let (decode, decodeText) = try invoke("network.add", "{\"containerId\": ")
        XCTAssertEqual(decode, 6, decodeText)
        // The enable config is checked against the manifest's schema before the driver loads.
        let badConfig = "\(testbed.hosts["h1"]!.configDir)/bad.json"
        try Data(#"{"subnet":"not-a-cidr"}"#.utf8).write(to: URL(fileURLWithPath: badConfig))
        let refused = try testbed.paddock(on: "h1", ["plugin", "enable", "vxlan", "--config", badConfig])
        XCTAssertNotEqual(refused.status, .exited(0))
        XCTAssertTrue(refused.stderr.contains("/subnet"), refused.stderr)

        // A second environment whose subnet overlaps the first is refused.
        let (overlap, overlapText) = try invoke("network.add", try request(second, config: ["name": "env2", "subnet": "198.19.4.0/24"]))
        XCTAssertEqual(overlap, 7, overlapText)
        XCTAssertTrue(overlapText.contains("overlaps"), overlapText)
        XCTAssertTrue(try testbed.json(second.namespace, ["link", "show", "type", "veth"]).isEmpty, "nothing half-made")

        // reconcile names what is wrong: an unknown driver, a driver that is not a network driver's name.
        let unknown = try testbed.paddock(on: "h1", ["network", "reconcile", "nosuch"])
        XCTAssertEqual(unknown.status, .exited(1))
        XCTAssertTrue(unknown.stderr.contains("nosuch") && unknown.stderr.contains("not enabled"), unknown.stderr)
        let help = try testbed.paddock(on: "h1", ["help", "network", "reconcile"])
        XCTAssertTrue(help.stdout.contains("metadata.changed") && help.stdout.contains("DRIVER"), help.stdout)

        // DEL is idempotent and succeeds once the namespace is gone; CHECK then fails.
        testbed.removeNamespace(of: first)
        let (deleted, deleteText) = try invoke("network.del", try request(first))
        XCTAssertEqual(deleted, 0, deleteText)
        let (deletedAgain, _) = try invoke("network.del", try request(first))
        XCTAssertEqual(deletedAgain, 0)
        let (checkGone, _) = try invoke("network.check", try request(first))
        XCTAssertNotEqual(checkGone, 0)
        XCTAssertEqual(try containerVeths(testbed, on: "h1"), [])
    }

    /// MTU = underlay − 50, from the underlay link the agent address is on (a jumbo underlay here),
    /// for the VTEP and the container alike; a configured mtu that does not fit is refused.
    func testTheMTUFollowsTheUnderlay() throws {
        _ = try Harness.swiftPlugin("VXLAN")
        let testbed = try NetTestbed(self, tag: "vm")
        let h1 = try testbed.addHost("h1")
        try testbed.run(in: testbed.underlay, ["ip", "link", "set", "u-h1", "mtu", "9000"])
        try testbed.run(in: h1.namespace, ["ip", "link", "set", "eth0", "mtu", "9000"])
        try testbed.writeMetadata(on: ["h1"], records: testbed.records())
        try testbed.enable("VXLAN", as: "vxlan", on: "h1", config: ["subnet": Self.subnet])
        let container = try testbed.addContainer("h1m", on: "h1")
        _ = try attach(testbed, container)
        func mtu(_ namespace: String, _ link: String) throws -> Int? {
            try testbed.json(namespace, ["link", "show", link]).first?["mtu"] as? Int
        }
        XCTAssertEqual(try mtu(h1.namespace, "vtep1042"), 8950)
        XCTAssertEqual(try mtu(container.namespace, "eth0"), 8950)

        let other = try testbed.addContainer("h1n", on: "h1")
        let tooBig = try testbed.paddock(on: "h1", ["plugin", "invoke", "vxlan", "network.add", try request(other, config: ["mtu": 8951])])
        XCTAssertNotEqual(tooBig.status, .exited(0))
        XCTAssertTrue((tooBig.stdout + tooBig.stderr).contains("use at most 8950"), tooBig.stdout + tooBig.stderr)
    }

    /// Metadata from an etcd that stopped answering: the ADD fails within the configured retries,
    /// says what to fix, and changes nothing — no link, no lease, VTEP entries as they were.
    func testAnUnreachableEtcdFailsTheADDBoundedAndChangesNothing() throws {
        let testbed = try makeCluster("ve", hosts: ["h1", "h2"])
        let first = try testbed.addContainer("h1a", on: "h1")
        _ = try attach(testbed, first)
        let entriesBefore = try vtepEntries(testbed, on: "h1")
        let store = "\(testbed.hosts["h1"]!.stateDir)/kv/vxlan.json"
        let storeBefore = try Data(contentsOf: URL(fileURLWithPath: store))

        let endpoint = "http://127.0.0.1:\(try LBTest.freePort())"  // nothing listens there
        let settings = #"{"metadata": {"etcd": {"endpoints": ["\#(endpoint)"], "attempts": 2, "timeout_seconds": 1}}}"#
        try Data(settings.utf8).write(to: URL(fileURLWithPath: "\(testbed.hosts["h1"]!.configDir)/paddock.json"))
        let second = try testbed.addContainer("h1b", on: "h1")
        let started = Date()
        let result = try testbed.paddock(on: "h1", ["plugin", "invoke", "vxlan", "network.add", try request(second)])
        XCTAssertNotEqual(result.status, .exited(0), result.stdout)
        XCTAssertLessThan(Date().timeIntervalSince(started), 30, "bounded by attempts × timeout, not hanging")
        let output = result.stdout + result.stderr
        XCTAssertTrue(output.contains("etcd is unreachable at \(endpoint)"), output)
        XCTAssertTrue(output.contains("metadata.etcd.endpoints"), output)

        let links = try testbed.json(second.namespace, ["link", "show"]).compactMap { $0["ifname"] as? String }
        XCTAssertEqual(links, ["lo"], "no interface in the container")
        let entriesAfter = try vtepEntries(testbed, on: "h1")
        XCTAssertEqual(entriesAfter.fdb, entriesBefore.fdb)
        XCTAssertEqual(entriesAfter.neighbours, entriesBefore.neighbours)
        XCTAssertEqual(entriesAfter.routes, entriesBefore.routes)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: store)), storeBefore, "no lease, no record written")
    }

    func testParallelAddsGetDistinctAddressesAndGCReleasesWhatIsNotValid() throws {
        let testbed = try makeCluster("c", hosts: ["h1"])
        let containers = try (1...8).map { try testbed.addContainer("p\($0)", on: "h1") }
        let runs = try testbed.paddockConcurrently(on: "h1", try containers.map {
            ["plugin", "invoke", "vxlan", "network.add", try request($0)]
        })
        let addresses = runs.compactMap { run -> String? in
            XCTAssertEqual(run.status, .exited(0), run.stdout + run.stderr)
            guard let ips = (run.json as? [String: Any])?["ips"] as? [[String: Any]], let cidr = ips.first?["address"] as? String else { return nil }
            return String(cidr.split(separator: "/")[0])
        }
        XCTAssertEqual(addresses.count, containers.count, "every parallel ADD succeeded")
        XCTAssertEqual(Set(addresses).count, containers.count, "no address handed out twice: \(addresses)")
        XCTAssertEqual(try containerVeths(testbed, on: "h1").count, containers.count)

        // GC keeps the listed attachments and frees everything else (lease and veth).
        let valid = containers.prefix(3).map { ["containerID": $0.name, "ifname": "eth0"] }
        let gcRequest = try JSONSerialization.data(withJSONObject: ["config": ["cniVersion": "1.1.0", "name": "paddock-vxlan",
                                                                               "cni.dev/valid-attachments": valid]])
        let gc = try testbed.paddock(on: "h1", ["plugin", "invoke", "vxlan", "network.gc", String(decoding: gcRequest, as: UTF8.self)])
        XCTAssertEqual(gc.status, .exited(0), gc.stdout + gc.stderr)
        XCTAssertEqual(((gc.json as? [String: Any])?["released"] as? [String])?.count, 5, gc.stdout)
        XCTAssertEqual(try containerVeths(testbed, on: "h1").count, 3)
        for container in containers.prefix(3) {
            let check = try testbed.paddock(on: "h1", ["plugin", "invoke", "vxlan", "network.check", try request(container)])
            XCTAssertEqual(check.status, .exited(0), "\(container.name): \(check.stdout)")
        }
        XCTAssertTrue(try testbed.ping(from: containers[0], addresses[1]))
    }

    /// Host-side container veths (the underlay's own veth is eth0).
    func containerVeths(_ testbed: NetTestbed, on host: String) throws -> [String] {
        try testbed.json(testbed.hosts[host]!.namespace, ["link", "show", "type", "veth"]).compactMap { $0["ifname"] as? String }
            .filter { $0 != "eth0" }
    }
}
