import Foundation
import PaddockPosix
import XCTest

/// The ipsec driver in the whole loop: etcd on the underlay, `paddock agent run` in each host
/// namespace notifying the driver (enabled without `netns`: it works in the caller's namespace),
/// containers attached with `paddock plugin invoke`. The agent's periodic notify restarts a killed
/// charon; a host whose agent dies loses its connection on the others when its lease runs out.
final class IPsecAgentTests: XCTestCase {
    func testTheAgentRestartsAKilledCharonAndDropsADepartedHost() throws {
        try IPsecTestbed.skipUnlessAvailable()
        _ = try Harness.swiftPlugin("IPsec")
        guard FileManager.default.fileExists(atPath: EtcdFixture.executable) else { throw XCTSkip("etcd is not installed (Debian etcd-server)") }
        let testbed = try NetTestbed(self, tag: "ia")
        try testbed.ip(testbed.underlay, ["addr", "add", "198.18.0.250/24", "dev", "under0"])
        let clientPort = try LBTest.freePort(), peerPort = try LBTest.freePort()
        let etcdURL = "http://198.18.0.250:\(clientPort)", peerURL = "http://198.18.0.250:\(peerPort)"
        let data = try testbed.directory.subdirectory("etcd")
        try testbed.start(in: testbed.underlay, [EtcdFixture.executable, "--name", "pi", "--data-dir", "\(data)/data",
                                                 "--listen-client-urls", etcdURL, "--advertise-client-urls", etcdURL,
                                                 "--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
                                                 "--initial-cluster", "pi=\(peerURL)", "--logger", "zap", "--log-outputs", "stderr"],
                          output: "\(data)/etcd.out")
        let prefix = "/paddock-ipsec-\(getpid())/"
        for name in ["h1", "h2"] {
            let host = try testbed.addHost(name)
            let settings: [String: Any] = ["metadata": ["host": name, "etcd": ["endpoints": [etcdURL], "prefix": prefix, "attempts": 2]]]
            try JSONSerialization.data(withJSONObject: settings).write(to: URL(fileURLWithPath: "\(host.configDir)/paddock.json"))
            try testbed.enable("IPsec", as: "ipsec", on: name, config: ["subnet": "198.19.0.0/16", "psk": "agent-test-psk-\(getpid())-abcdef"])
        }
        var agents: [String: Process] = [:]
        for name in ["h1", "h2"] {
            let host = testbed.hosts[name]!
            agents[name] = try testbed.start(in: host.namespace, [
                "/usr/bin/env", "PADDOCK_STATE_DIR=\(host.stateDir)", "PADDOCK_CONFIG_DIR=\(host.configDir)",
                "PADDOCK_PLUGIN_PATH=\(host.pluginDir)", "HOME=\(host.stateDir)",
                Harness.paddock, "agent", "run", "--agent-ip", host.agentIP, "--ttl", "3", "--interval", "1",
                "--watch-interval", "0.3", "--format", "json"], output: "\(host.stateDir)/agent.out")
        }
        func agentLog(_ name: String) -> String {
            (try? String(contentsOfFile: "\(testbed.hosts[name]!.stateDir)/agent.out", encoding: .utf8)) ?? ""
        }
        func charonPID(_ name: String) -> Int32? {
            let text = (try? String(contentsOfFile: "\(testbed.hosts[name]!.stateDir)/plugins/ipsec/charon.pid", encoding: .utf8)) ?? ""
            return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        func connections(_ name: String) -> String {
            let uri = "unix://\(testbed.hosts[name]!.stateDir)/plugins/ipsec/charon.vici"
            return (try? testbed.run(["swanctl", "--list-conns", "--uri", uri], check: false).stdout) ?? ""
        }
        for name in ["h1", "h2"] {
            XCTAssertTrue(waitUntil(seconds: 30) { agentLog(name).contains(#""event":"published""#) }, agentLog(name))
        }
        var addresses: [String: String] = [:]
        for name in ["h1", "h2"] {
            let container = try testbed.addContainer("\(name)c", on: name)
            let object: [String: Any] = ["containerId": container.name, "netns": container.netnsPath, "ifName": "eth0",
                                         "config": ["cniVersion": "1.1.0", "name": "paddock-ipsec", "type": "paddock"]]
            let request = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
            let result = try testbed.paddock(on: name, ["plugin", "invoke", "ipsec", "network.add", request])
            XCTAssertEqual(result.status, .exited(0), "\(result.stdout)\(result.stderr)")
            let body = try XCTUnwrap(result.json as? [String: Any], result.stdout + result.stderr)
            addresses[name] = String(try XCTUnwrap((body["ips"] as? [[String: Any]])?.first?["address"] as? String).split(separator: "/")[0])
        }
        let c1 = try XCTUnwrap(testbed.containers["h1c"]), c2 = try XCTUnwrap(testbed.containers["h2c"])
        XCTAssertTrue(waitUntil(seconds: 30) { (try? testbed.ping(from: c1, addresses["h2"]!)) == true }, "tunnel h1 ↔ h2 through the agents' hosts")

        let old = try XCTUnwrap(charonPID("h2"))
        XCTAssertEqual(kill(old, SIGKILL), 0)
        XCTAssertTrue(waitUntil(seconds: 30) { charonPID("h2").map { $0 != old && kill($0, 0) == 0 } ?? false },
                      "the agent's periodic notify restarted charon:\n\(agentLog("h2"))")
        XCTAssertTrue(waitUntil(seconds: 30) { (try? testbed.ping(from: c2, addresses["h1"]!)) == true }, "and the tunnel is back")
        XCTAssertTrue(agentLog("h2").contains(#""driver":"ipsec""#), agentLog("h2"))

        // h2's agent dies without revoking: when its lease runs out, h1 drops conn-198-18-0-12.
        XCTAssertTrue(connections("h1").contains("conn-198-18-0-12"), connections("h1"))
        kill(agents["h2"]!.processIdentifier, SIGKILL)
        XCTAssertTrue(waitUntil(seconds: 40) { !connections("h1").contains("conn-198-18-0-12") },
                      "h2's lease expired and h1's driver removed its connection:\n\(agentLog("h1"))")
        testbed.stop(agents["h1"]!)
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
