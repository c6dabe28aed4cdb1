import Foundation
import PaddockPosix
import XCTest

/// The whole loop across hosts: etcd on the underlay, `paddock agent run` in each host namespace,
/// the VXLAN driver reading peers from etcd through the metadata service and reconciling when
/// the agent tells it that hosts changed — including a host whose agent dies and whose lease runs out.
final class AgentVXLANTests: XCTestCase {
    static let subnet = "198.19.0.0/16"

    func testAgentsPublishHostsAndVXLANFollowsPeersComingAndGoing() throws {
        _ = try Harness.swiftPlugin("VXLAN")
        guard FileManager.default.fileExists(atPath: EtcdFixture.executable) else { throw XCTSkip("etcd is not installed (Debian etcd-server)") }
        let testbed = try NetTestbed(self, tag: "ag")
        try testbed.ip(testbed.underlay, ["addr", "add", "198.18.0.250/24", "dev", "under0"])
        let clientPort = try LBTest.freePort(), peerPort = try LBTest.freePort()
        let etcdURL = "http://198.18.0.250:\(clientPort)", peerURL = "http://198.18.0.250:\(peerPort)"
        let data = try testbed.directory.subdirectory("etcd")
        try testbed.start(in: testbed.underlay, [EtcdFixture.executable, "--name", "pt", "--data-dir", "\(data)/data",
                                                 "--listen-client-urls", etcdURL, "--advertise-client-urls", etcdURL,
                                                 "--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
                                                 "--initial-cluster", "pt=\(peerURL)", "--logger", "zap", "--log-outputs", "stderr"],
                          output: "\(data)/etcd.out")
        let prefix = "/paddock-\(getpid())/"
        var agents: [String: Process] = [:]
        for name in ["h1", "h2"] {
            let host = try testbed.addHost(name)
            let settings: [String: Any] = ["metadata": ["host": name, "etcd": ["endpoints": [etcdURL], "prefix": prefix, "attempts": 2]]]
            try JSONSerialization.data(withJSONObject: settings).write(to: URL(fileURLWithPath: "\(host.configDir)/paddock.json"))
            try testbed.enable("VXLAN", as: "vxlan", on: name, config: ["subnet": Self.subnet])
        }
        func startAgent(_ name: String) throws -> Process {
            let host = testbed.hosts[name]!
            return try testbed.start(in: host.namespace, [
                "/usr/bin/env", "PADDOCK_STATE_DIR=\(host.stateDir)", "PADDOCK_CONFIG_DIR=\(host.configDir)",
                "PADDOCK_PLUGIN_PATH=\(host.pluginDir)", "HOME=\(host.stateDir)",
                Harness.paddock, "agent", "run", "--agent-ip", host.agentIP, "--ttl", "3", "--interval", "600",
                "--watch-interval", "0.3", "--format", "json"], output: "\(host.stateDir)/agent.out")
        }
        func fdb(_ name: String) -> Set<String> {
            let entries = (try? testbed.json(testbed.hosts[name]!.namespace, tool: "bridge", ["fdb", "show", "dev", "vtep1042"])) ?? []
            return Set(entries.compactMap { $0["dst"] as? String })
        }
        func agentLog(_ name: String) -> String {
            (try? String(contentsOfFile: "\(testbed.hosts[name]!.stateDir)/agent.out", encoding: .utf8)) ?? ""
        }
        func attach(_ container: NetTestbed.Container) throws -> String {
            let object: [String: Any] = ["containerId": container.name, "netns": container.netnsPath, "ifName": "eth0",
                                         "config": ["cniVersion": "1.1.0", "name": "paddock-vxlan", "type": "paddock"]]
            let request = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
            let result = try testbed.paddock(on: container.host, ["plugin", "invoke", "vxlan", "network.add", request])
            XCTAssertEqual(result.status, .exited(0), "\(result.stdout)\(result.stderr)")
            let body = try XCTUnwrap(result.json as? [String: Any], result.stdout + result.stderr)
            let cidr = try XCTUnwrap((body["ips"] as? [[String: Any]])?.first?["address"] as? String)
            return String(cidr.split(separator: "/")[0])
        }

        agents["h1"] = try startAgent("h1")
        XCTAssertTrue(waitUntil(seconds: 30) { agentLog("h1").contains(#""event":"published""#) }, agentLog("h1"))
        let c1 = try testbed.addContainer("h1c", on: "h1")
        _ = try attach(c1)
        XCTAssertEqual(fdb("h1"), [], "alone: no peers")

        agents["h2"] = try startAgent("h2")
        XCTAssertTrue(waitUntil(seconds: 30) { agentLog("h2").contains(#""event":"published""#) }, agentLog("h2"))
        let c2 = try testbed.addContainer("h2c", on: "h2")
        let address2 = try attach(c2)
        XCTAssertTrue(waitUntil(seconds: 30) { fdb("h1").contains("198.18.0.12") },
                      "h1's agent saw h2 arrive and the driver added its FDB entry:\n\(agentLog("h1"))")
        XCTAssertTrue(try testbed.ping(from: c1, address2), "containers reach each other across the hosts")
        XCTAssertTrue(agentLog("h1").contains(#""driver":"vxlan""#) && agentLog("h1").contains(#""ok":true"#), agentLog("h1"))

        // h2's agent dies without revoking: its record goes when the 3 s lease runs out.
        kill(agents["h2"]!.processIdentifier, SIGKILL)
        XCTAssertTrue(waitUntil(seconds: 40) { !fdb("h1").contains("198.18.0.12") },
                      "h2's lease expired and h1's driver removed its entries:\n\(agentLog("h1"))")
        XCTAssertTrue(agentLog("h1").contains(#"{"event":"hosts","hosts":["h1"]}"#), agentLog("h1"))

        testbed.stop(agents["h1"]!)
        XCTAssertTrue(agentLog("h1").contains(#"{"event":"stopped"}"#), agentLog("h1"))
    }

    func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = ChildProcess.monotonicSeconds() + seconds
        while ChildProcess.monotonicSeconds() < deadline {
            if condition() { return true }
            usleep(200_000)
        }
        return condition()
    }
}
