import Foundation
import Glibc
import PaddockCore
import PaddockHost
import PaddockPosix
import XCTest

/// The ipsec driver against real charons: hosts and containers are network namespaces, one charon
/// per host namespace, userspace ESP (this kernel has no ESP). Addresses: underlay 198.18.0.0/24,
/// containers 198.19.0.0/16 (a /24 per host).
final class IPsecNetworkTests: XCTestCase {
    let psk = "paddock-test-psk-\(getpid())-0123456789"
    var testbed: IPsecTestbed?

    override func tearDown() {
        testbed?.tearDown()
        testbed = nil
        super.tearDown()
    }

    func makeTestbed(hosts: Int, extra: [String: JSONValue] = [:]) throws -> IPsecTestbed {
        try IPsecTestbed.skipUnlessAvailable()
        var config: [String: JSONValue] = ["psk": .string(psk), "subnet": "198.19.0.0/16"]
        for (key, value) in extra { config[key] = value }
        let bed = try IPsecTestbed(hostCount: hosts, config: config, temp: try temporaryDirectory("paddock-ipsec"))
        testbed = bed
        return bed
    }

    /// A capture running in a namespace until `stop()`; the pcap file is read afterwards.
    final class Capture {
        let process = Process()
        let file: String

        init(namespace: String, interface: String, file: String) throws {
            self.file = file
            process.executableURL = URL(fileURLWithPath: IPsecTestbed.ip)
            process.arguments = ["netns", "exec", namespace, "/usr/bin/tcpdump", "-i", interface, "-n", "-U", "-s", "0", "-w", file]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // tcpdump has opened the interface once the file exists.
            let deadline = Date().addingTimeInterval(10)
            while !FileManager.default.fileExists(atPath: file) && Date() < deadline { usleep(50_000) }
            usleep(300_000)
        }

        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }

        var bytes: Data { (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data() }

        func summary() throws -> [String] {
            let outcome = try ChildProcess.run("/usr/bin/tcpdump", arguments: ["-r", file, "-n", "-nn"], timeoutSeconds: 30)
            return String(decoding: outcome.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        }

        deinit { stop() }
    }

    func testThreeHostsTwoContainersEachReachEveryOtherAndTheUnderlayCarriesOnlyESPInUDP() throws {
        let bed = try makeTestbed(hosts: 3)
        var addresses: [String: String] = [:]
        for host in 0..<3 {
            for slot in 1...2 {
                let name = "h\(host + 1)c\(slot)"
                addresses[name] = try bed.addContainer(name, on: host)
            }
        }
        // Unique across hosts: each host leases from its own block.
        XCTAssertEqual(Set(addresses.values).count, 6, "\(addresses)")
        XCTAssertEqual(addresses["h2c1"], "198.19.2.2")
        XCTAssertTrue(bed.waitForTunnels(expected: [0: 2, 1: 2, 2: 2]), "tunnels: \((0..<3).map { bed.status($0).body.serialized() })")
        let status = bed.status(0).body
        XCTAssertEqual(status["data_path"]?.stringValue, "userspace", "this kernel has no ESP: \(status.serialized())")

        let underlay = try Capture(namespace: bed.underlay, interface: "br0", file: "\(bed.temp.path)/underlay.pcap")
        let inside = try Capture(namespace: bed.hosts[1].namespace, interface: "paddock-ipsec", file: "\(bed.temp.path)/h2-bridge.pcap")
        var failures: [String] = []
        for (from, _) in addresses.sorted(by: { $0.key < $1.key }) {
            for (to, address) in addresses.sorted(by: { $0.key < $1.key }) where from != to {
                if !bed.ping(from: from, to: address) { failures.append("\(from) → \(to) (\(address))") }
            }
        }
        XCTAssertEqual(failures, [], "every container pings every other")
        // A recognisable payload from h1c1 to h2c1, over UDP.
        let marker = "PADDOCK-PLAINTEXT-\(getpid())-MARKER"
        let sender = try XCTUnwrap(bed.containers["h1c1"]?.namespace)
        for _ in 0..<5 {
            _ = try bed.run(in: sender, ["/bin/bash", "-c", "echo \(marker) > /dev/udp/\(addresses["h2c1"]!)/5555"])
        }
        usleep(500_000)
        underlay.stop()
        inside.stop()

        let markerBytes = Data(marker.utf8)
        XCTAssertNotNil(inside.bytes.range(of: markerBytes), "the payload reached h2's bridge in plaintext (proves it was sent)")
        XCTAssertNil(underlay.bytes.range(of: markerBytes), "the payload never crosses the underlay in plaintext")
        let lines = try underlay.summary().filter { $0.contains(" IP ") }
        XCTAssertGreaterThan(lines.filter { $0.contains(".4500: UDP-encap") }.count, 30, "ESP in UDP on port 4500")
        let other = lines.filter { !$0.contains(".4500 > ") && !$0.contains(".500 > ") }
        XCTAssertEqual(other, [], "only IKE/ESP-in-UDP between hosts")
        XCTAssertEqual(lines.filter { $0.contains("198.19.") }, [], "no container address appears on the underlay")
    }

    func testAHostLeavingRemovesItsTunnelsAndReturningRestoresThem() throws {
        let bed = try makeTestbed(hosts: 3)
        for host in 0..<3 { try bed.addContainer("h\(host + 1)c1", on: host) }
        XCTAssertTrue(bed.waitForTunnels(expected: [0: 2, 1: 2, 2: 2]))
        XCTAssertTrue(bed.ping(from: "h1c1", to: "198.19.3.2"))

        try bed.publish(["h1", "h2"])
        for host in 0..<2 {
            let report = bed.notify(host)
            XCTAssertTrue(report.isSuccess, report.errorMessage)
            XCTAssertEqual(report.body["removed"], ["conn-198-18-0-3"], report.body.serialized())
            XCTAssertEqual(report.body["peers"]?.arrayValue?.count, 1)
        }
        for host in 0..<2 {
            let conns = try bed.run(in: bed.hosts[host].namespace, ["/usr/sbin/swanctl", "--list-conns", "--uri",
                                                                    "unix://\(bed.hosts[host].stateDirectory)/plugins/ipsec/charon.vici"])
            let text = String(decoding: conns.stdout, as: UTF8.self)
            XCTAssertFalse(text.contains("conn-198-18-0-3"), text)
            XCTAssertTrue(text.contains("conn-198-18-0-\(host == 0 ? 2 : 1)"), text)
            let tunnels = bed.status(host).body["tunnels"]?.objectValue ?? [:]
            XCTAssertNil(tunnels["conn-198-18-0-3"].flatMap { $0["up"]?.boolValue == true ? $0 : nil }, "\(tunnels)")
            let routes = try IPsecTestbed.check(["-n", bed.hosts[host].namespace, "route", "show", "table", "220"])
            XCTAssertFalse(routes.contains("198.19.3.0/24"), routes)
        }
        XCTAssertFalse(bed.ping(from: "h1c1", to: "198.19.3.2", tries: 1), "the departed host is no longer reachable")
        XCTAssertTrue(bed.ping(from: "h1c1", to: "198.19.2.2"), "the others stay connected")

        try bed.publish(["h1", "h2", "h3"])
        for host in 0..<3 { XCTAssertTrue(bed.notify(host).isSuccess) }
        XCTAssertTrue(bed.waitForTunnels(expected: [0: 2, 1: 2, 2: 2]), "\((0..<3).map { bed.status($0).body.serialized() })")
        XCTAssertTrue(bed.ping(from: "h1c1", to: "198.19.3.2"))
        XCTAssertTrue(bed.ping(from: "h3c1", to: "198.19.2.2"))
    }

    func testAKilledCharonIsRestartedByReconcile() throws {
        let bed = try makeTestbed(hosts: 2)
        try bed.addContainer("h1c1", on: 0)
        try bed.addContainer("h2c1", on: 1)
        XCTAssertTrue(bed.waitForTunnels(expected: [0: 1, 1: 1]))
        XCTAssertTrue(bed.ping(from: "h1c1", to: "198.19.2.2"))

        let check: JSONValue = .object(["containerId": "h2c1", "ifName": "eth0", "netns": .string("/run/netns/\(bed.prefix)h2c1")])
        XCTAssertTrue(bed.hosts[1].instance.call(.network, "check", check).isSuccess)
        let old = try XCTUnwrap(bed.charonPID(1))
        XCTAssertEqual(kill(old, SIGKILL), 0)
        var status: Int32 = 0
        _ = waitpid(old, &status, 0)
        let down = bed.status(1)
        XCTAssertEqual(down.status, 50, down.body.serialized())
        XCTAssertTrue(down.errorMessage.contains("charon is not running"), down.errorMessage)
        XCTAssertTrue(down.errorMessage.contains("userspace ESP"), down.errorMessage)
        XCTAssertEqual(bed.hosts[1].instance.call(.network, "check", check).status, 50, "CHECK fails while charon is down")

        let report = bed.notify(1)
        XCTAssertTrue(report.isSuccess, report.errorMessage)
        XCTAssertTrue(report.body["charon_restarted"]?.stringValue?.contains("was not running") == true, report.body.serialized())
        let new = try XCTUnwrap(bed.charonPID(1))
        XCTAssertNotEqual(new, old)
        XCTAssertTrue(bed.waitForTunnels(expected: [0: 1, 1: 1]), "\(bed.status(0).body.serialized())")
        XCTAssertTrue(bed.ping(from: "h1c1", to: "198.19.2.2"))
        XCTAssertTrue(bed.ping(from: "h2c1", to: "198.19.1.2"))
        // A reconcile with charon healthy leaves it alone.
        XCTAssertEqual(bed.notify(1).body["charon_restarted"], .null)
        XCTAssertEqual(bed.charonPID(1), new)
    }

    func testMalformedPeersAreSkippedWithALogLineAndTheRestReconciled() throws {
        let bed = try makeTestbed(hosts: 2)
        try bed.publish(["h1", "h2"], extra: [
            .object(["name": "broken", "agent_ip": "198.18.0.999"]),
            .object(["name": "words", "agent_ip": "not-an-address"]),
            .object(["name": "nothing"]),
        ])
        var report = IPsecTestbed.Answer(status: 0, body: .null)
        let log = try captureStandardError { report = bed.notify(0) }
        XCTAssertTrue(report.isSuccess, report.errorMessage)
        XCTAssertEqual(report.body["skipped"]?.arrayValue?.count, 3, report.body.serialized())
        XCTAssertEqual(report.body["peers"]?[0]?["connection"]?.stringValue, "conn-198-18-0-2")
        XCTAssertTrue(log.contains("peer skipped: host broken has a malformed agent_ip \"198.18.0.999\""), log)
        XCTAssertTrue(log.contains("host nothing has no agent_ip"), log)
        XCTAssertTrue(bed.notify(1).isSuccess)
        XCTAssertTrue(bed.waitForTunnels(expected: [0: 1, 1: 1]), "the well-formed peers are still connected")
    }

    func testBadConfigAndRequestsAreRefusedClearly() throws {
        let bed = try makeTestbed(hosts: 1)
        let cases: [(JSONValue, String)] = [
            (["psk": "short"], "fewer than 16"),
            (["psk": .string(psk), "data_path": "turbo"], "data_path \"turbo\""),
            (["psk": .string(psk), "subnet": "198.19.0.0/33"], "not an IPv4 CIDR"),
            (["psk": .string(psk), "tunnel": "yes"], "unknown key \"tunnel\""),
        ]
        for (config, expected) in cases {
            XCTAssertThrowsError(try IPsecTestbed.instance(bed.plugin, state: bed.hosts[0].stateDirectory, config: config)) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)")
                XCTAssertTrue("\(error)".contains("ipsec"), "names the plugin: \(error)")
            }
        }
        let host = bed.hosts[0].instance
        try IPsecTestbed.check(["netns", "add", "\(bed.prefix)bad"])
        defer { _ = try? IPsecTestbed.check(["netns", "del", "\(bed.prefix)bad"]) }
        let netns = "/run/netns/\(bed.prefix)bad"
        func add(_ id: String, _ ifName: String) -> CallResult {
            host.call(.network, "add", .object(["containerId": .string(id), "netns": .string(netns), "ifName": .string(ifName)]))
        }
        XCTAssertEqual(add("a/b", "eth0").status, 4)
        XCTAssertEqual(add("..", "eth0").status, 4)
        XCTAssertEqual(add("ok", "eth0/1").status, 4)
        XCTAssertEqual(add("ok", String(repeating: "e", count: 16)).status, 4)
        XCTAssertEqual(add(String(repeating: "x", count: 300), "eth0").status, 4)
        XCTAssertEqual(host.call(.network, "add", .object(["containerId": "nons", "ifName": "eth0"])).status, 4)
        // An interface name that already exists in the container: ADD must fail and leak nothing.
        try IPsecTestbed.check(["-n", "\(bed.prefix)bad", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0peer"])
        let taken = add("taken", "eth0")
        XCTAssertEqual(taken.status, 102, taken.body.serialized())
        XCTAssertTrue(taken.errorMessage.contains("already exists"), taken.errorMessage)
        let table = (try? KeyValueStore(directory: "\(bed.hosts[0].stateDirectory)/kv", plugin: "ipsec").get("ipam/ipsec")) ?? []
        XCTAssertFalse(String(decoding: table, as: UTF8.self).contains("taken"), "the failed ADD holds no address")
        let veths = try IPsecTestbed.check(["-n", bed.hosts[0].namespace, "-o", "link", "show", "type", "veth"])
        XCTAssertFalse(veths.contains(": ips"), "and left no container veth: \(veths)")
        // DEL of something never added, and repeated, succeeds.
        let del = host.call(.network, "del", .object(["containerId": "ghost", "ifName": "eth0"]))
        XCTAssertTrue(del.isSuccess, del.errorMessage)
        XCTAssertTrue(host.call(.network, "del", .object(["containerId": "ghost", "ifName": "eth0"])).isSuccess)
        // This host's own record unusable: ADD says so.
        let record: JSONValue = .object(["self": "h1", "hosts": [.object(["name": "h1", "agent_ip": "198.18.0.300"])]])
        try Data(record.serialized().utf8).write(to: URL(fileURLWithPath: "\(bed.hosts[0].stateDirectory)/metadata.json"))
        let broken = add("c9", "eth1")
        XCTAssertEqual(broken.status, 4, broken.body.serialized())
        XCTAssertTrue(broken.errorMessage.contains("this host's metadata record is unusable"), broken.errorMessage)
    }

    func testCheckAndGarbageCollection() throws {
        let bed = try makeTestbed(hosts: 1)
        try bed.addContainer("keep", on: 0)
        try bed.addContainer("stale", on: 0)
        let host = bed.hosts[0].instance
        func request(_ id: String) -> JSONValue {
            .object(["containerId": .string(id), "ifName": "eth0", "netns": .string("/run/netns/\(bed.prefix)\(id)")])
        }
        XCTAssertTrue(host.call(.network, "check", request("stale")).isSuccess)
        let gc = host.call(.network, "gc", .object(["config": .object([
            "cni.dev/valid-attachments": [.object(["containerID": "keep", "ifname": "eth0"])]])]))
        XCTAssertTrue(gc.isSuccess, gc.errorMessage)
        XCTAssertEqual(gc.body["released"], ["stale/eth0"])
        XCTAssertEqual(host.call(.network, "check", request("stale")).status, 3, "a collected attachment is unknown")
        XCTAssertTrue(host.call(.network, "check", request("keep")).isSuccess)
        let inside = try bed.run(in: "\(bed.prefix)stale", ["/usr/sbin/ip", "-o", "link", "show"])
        XCTAssertFalse(String(decoding: inside.stdout, as: UTF8.self).contains("eth0"), "the collected veth is gone")
        XCTAssertTrue(host.call(.network, "del", request("keep")).isSuccess)
        XCTAssertTrue(host.call(.network, "del", request("keep")).isSuccess, "DEL twice succeeds")
    }

    func testAHostPortReachesAContainerFromAnotherHostTheHostItselfAndContainers() throws {
        let bed = try makeTestbed(hosts: 2)
        try bed.addContainer("h1c1", on: 0)
        try bed.addContainer("h2c1", on: 1, ports: ["8080:80/tcp"])
        let site = try bed.temp.subdirectory("site")
        let body = "served-by-h2c1-\(getpid())"
        try Data(body.utf8).write(to: URL(fileURLWithPath: "\(site)/index.html"))
        let server = try XCTUnwrap(bed.containers["h2c1"]?.namespace)
        let httpd = Process()
        httpd.executableURL = URL(fileURLWithPath: IPsecTestbed.ip)
        httpd.arguments = ["netns", "exec", server, "/usr/bin/busybox", "httpd", "-f", "-p", "80", "-h", site]
        try httpd.run()
        defer { if httpd.isRunning { httpd.terminate() }; httpd.waitUntilExit() }
        usleep(300_000)
        func fetch(from namespace: String) -> String {
            var last = ""
            for _ in 0..<10 {
                if let outcome = try? bed.run(in: namespace, ["/usr/bin/curl", "-s", "-m", "3", "http://198.18.0.2:8080/"], timeout: 10) {
                    if outcome.termination == .exited(0) { return String(decoding: outcome.stdout, as: UTF8.self) }
                    last = String(decoding: outcome.stderr, as: UTF8.self)
                }
                usleep(200_000)
            }
            return "failed: \(last)"
        }
        let direct = try bed.run(in: bed.hosts[1].namespace, ["/usr/bin/curl", "-s", "-m", "3", "http://198.19.2.2:80/"])
        XCTAssertEqual(String(decoding: direct.stdout, as: UTF8.self), body, "the server answers on the bridge: \(String(decoding: direct.stderr, as: UTF8.self))")
        let ruleset = try bed.run(in: bed.hosts[1].namespace, ["/usr/sbin/nft", "list", "ruleset"])
        XCTAssertEqual(fetch(from: bed.hosts[0].namespace), body, "host h1 → h2's host port → h2c1: \(String(decoding: ruleset.stdout, as: UTF8.self))")
        XCTAssertEqual(fetch(from: try XCTUnwrap(bed.containers["h1c1"]?.namespace)), body, "container h1c1 → h2's host port")
        XCTAssertEqual(fetch(from: bed.hosts[1].namespace), body, "h2 itself → its own host port")
        XCTAssertEqual(fetch(from: server), body, "hairpin: h2c1 → h2's host port → h2c1")
        try bed.addContainer("h2c2", on: 1)
        XCTAssertEqual(fetch(from: try XCTUnwrap(bed.containers["h2c2"]?.namespace)), body, "hairpin: a neighbour on h2's bridge")
        let table = try bed.run(in: bed.hosts[1].namespace, ["/usr/sbin/nft", "list", "table", "ip", "paddock_ipsec"])
        XCTAssertTrue(String(decoding: table.stdout, as: UTF8.self).contains("198.19.2.2"), "DNAT to the container")
        XCTAssertTrue(bed.removeContainer("h2c1").isSuccess)
        let after = try bed.run(in: bed.hosts[1].namespace, ["/usr/sbin/nft", "list", "table", "ip", "paddock_ipsec"])
        XCTAssertFalse(String(decoding: after.stdout, as: UTF8.self).contains("8080"), "DEL withdrew the mapping")
    }

    func testAGeneratedPSKIsStoredAndReused() throws {
        let bed = try makeTestbed(hosts: 1, extra: ["psk": .null])
        let first = bed.notify(0)
        XCTAssertTrue(first.isSuccess, first.errorMessage)
        XCTAssertEqual(first.body["psk_source"]?.stringValue, "generated")
        let store = KeyValueStore(directory: "\(bed.hosts[0].stateDirectory)/kv", plugin: "ipsec")
        let stored = String(decoding: try store.get("psk"), as: UTF8.self)
        XCTAssertEqual(stored.count, 64)
        XCTAssertEqual(bed.notify(0).body["psk_source"]?.stringValue, "plugin store")
        XCTAssertEqual(String(decoding: try store.get("psk"), as: UTF8.self), stored)
    }

    /// Two hosts and no configured key: a generated one would differ per host and the tunnels
    /// would fail to authenticate without a word, so the driver refuses and names the fix; the
    /// environment's `ipsec_psk` then connects them.
    func testPeersWithoutASharedKeyAreRefusedAndTheEnvironmentKeyConnectsThem() throws {
        let bed = try makeTestbed(hosts: 2, extra: ["psk": .null])
        let names = bed.hosts.map(\.name)
        try bed.publish(names)
        let refused = bed.notify(0)
        XCTAssertFalse(refused.isSuccess)
        XCTAssertTrue(refused.errorMessage.contains("no shared pre-shared key"), refused.errorMessage)
        XCTAssertTrue(refused.errorMessage.contains("ipsec_psk"), refused.errorMessage)
        let store = KeyValueStore(directory: "\(bed.hosts[0].stateDirectory)/kv", plugin: "ipsec")
        XCTAssertThrowsError(try store.get("psk"), "nothing generated")

        try bed.publish(names, environment: .object(["ipsec_psk": .string("shared-env-psk-\(getpid())-0123456789")]))
        for index in 0..<2 {
            let answer = bed.notify(index)
            XCTAssertTrue(answer.isSuccess, answer.errorMessage)
            XCTAssertEqual(answer.body["psk_source"]?.stringValue, "environment metadata")
        }
        let first = try bed.addContainer("h1c1", on: 0)
        let second = try bed.addContainer("h2c1", on: 1)
        XCTAssertTrue(bed.waitForTunnels(expected: [0: 1, 1: 1]), "tunnels: \((0..<2).map { bed.status($0).body.serialized() })")
        XCTAssertTrue(bed.ping(from: "h1c1", to: second), "h1c1 → h2c1 over the tunnel")
        XCTAssertTrue(bed.ping(from: "h2c1", to: first), "h2c1 → h1c1 over the tunnel")
    }

    func testPluginInspectShowsTheActiveDataPath() throws {
        let bed = try makeTestbed(hosts: 1)
        XCTAssertTrue(bed.notify(0).isSuccess)
        let plugins = try bed.temp.subdirectory("plugins")
        symlink(try Harness.swiftPlugin("IPsec"), "\(plugins)/libIPsec.so")
        let state = bed.hosts[0].stateDirectory
        let configFile = "\(bed.temp.path)/ipsec.json"
        try Data(bed.hostConfig(bed.hosts[0].namespace).serialized().utf8).write(to: URL(fileURLWithPath: configFile))
        let enable = try Harness.paddock(["plugin", "enable", "ipsec", "--config", configFile], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(enable.status, .exited(0), enable.stderr)

        let json = try Harness.paddock(["plugin", "inspect", "ipsec", "--format", "json"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(json.status, .exited(0), json.stderr)
        let report = try XCTUnwrap(json.json as? [String: Any])
        let runtime = try XCTUnwrap(report["runtime"] as? [String: Any], json.stdout)
        XCTAssertEqual(runtime["source"] as? String, "network.status")
        XCTAssertEqual(runtime["ok"] as? Bool, true, json.stdout)
        let answer = try XCTUnwrap(runtime["answer"] as? [String: Any])
        XCTAssertEqual(answer["data_path"] as? String, "userspace")
        XCTAssertEqual(answer["aes_gcm"] as? Bool, true)
        XCTAssertEqual((answer["charon_pid"] as? Double).map { pid_t($0) }, bed.charonPID(0))
        let table = try Harness.paddock(["plugin", "inspect", "ipsec"], pluginPath: plugins, stateDir: state)
        XCTAssertTrue(table.stdout.contains("Runtime:       (network.status)"), table.stdout)
        XCTAssertTrue(table.stdout.contains("userspace ESP (strongSwan kernel-libipsec"), table.stdout)

        // Charon gone: the section says so, and inspect itself still succeeds.
        _ = try Harness.paddock(["plugin", "call", "ipsec", "stop"], pluginPath: plugins, stateDir: state)
        let down = try Harness.paddock(["plugin", "inspect", "ipsec"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(down.status, .exited(0), down.stderr)
        XCTAssertTrue(down.stdout.contains("network.status FAILED — ipsec: charon is not running"), down.stdout)
    }

    /// Runs `body` with this process's standard error going to a file, and returns what was written.
    func captureStandardError(_ body: () throws -> Void) throws -> String {
        let file = "\(NSTemporaryDirectory())paddock-ipsec-stderr-\(getpid())"
        let fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw HarnessError("open \(file)") }
        defer { unlink(file) }
        let saved = dup(2)
        dup2(fd, 2)
        defer {
            dup2(saved, 2)
            close(saved)
            close(fd)
        }
        try body()
        return (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    }
}
