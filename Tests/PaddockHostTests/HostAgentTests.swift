import Foundation
import PaddockCore
import PaddockHost
import PaddockPosix
import XCTest

/// `paddock agent publish|run` against a real etcd: leases, expiry, and driver notification.
final class HostAgentTests: XCTestCase {
    func testPublishedRecordDisappearsWhenItsLeaseRunsOut() throws {
        let etcd = try EtcdFixture(self)
        let state = try temporaryDirectory()
        let prefix = "/paddock-\(getpid())-lease/"
        try etcd.writeSettings(configDirectory: "\(state.path)/config", prefix: prefix)
        let run = try Harness.paddock(["agent", "publish", "--name", "peer", "--agent-ip", "198.18.0.2", "--label", "zone=a",
                                       "--field", "subnet=\"198.18.65.0/24\"", "--ttl", "2", "--format", "json"],
                                      pluginPath: nil, stateDir: state.path, environment: ["PADDOCK_CONFIG_DIR": "\(state.path)/config"])
        XCTAssertEqual(run.status, .exited(0), run.stderr)
        XCTAssertTrue(run.stderr.contains("warning: publishing host peer, but this host's drivers look themselves up as"), run.stderr)
        let printed = try JSONValue(parsing: run.stdout)
        XCTAssertNotEqual(printed["lease"]?.stringValue ?? "0", "0")

        let source = MetadataSource(etcd: etcd.client(prefix: prefix), hostName: nil)
        let hosts = try source.answer(["type": "hosts"])
        XCTAssertEqual(hosts.arrayValue?.count, 1)
        XCTAssertEqual(hosts[0]?["agent_ip"], "198.18.0.2")
        XCTAssertEqual(hosts[0]?["labels"]?["zone"], "a")
        XCTAssertEqual(hosts[0]?["subnet"], "198.18.65.0/24")

        XCTAssertTrue(waitUntil(seconds: 30) { (try? etcd.client(prefix: prefix).range(prefix: prefix).kvs.isEmpty) ?? false },
                      "the record goes when the 2 s lease runs out")
    }

    func testAgentRunNotifiesNetworkDriversWhenHostsComeAndGo() throws {
        try notifiesDriver(isolation: "in-process")
    }

    func testAgentRunNotifiesADriverRunningInItsOwnWorkerProcess() throws {
        try notifiesDriver(isolation: "process")
    }

    /// `paddock network reconcile` reaches a driver in its worker process as well as in-process.
    func testNetworkReconcileNotifiesADriverInEitherIsolation() throws {
        try Harness.requirePaddock()
        for isolation in ["in-process", "process"] {
            let state = try temporaryDirectory()
            let plugins = try state.subdirectory("plugins")
            try Harness.compile(["\(Harness.fixturesDirectory)/notifier.c"], output: "\(plugins)/notifier.so")
            let log = "\(state.path)/notifications.log"
            try AtomicFile.write(Array("{\"log\": \"\(log)\"}".utf8), to: "\(state.path)/notifier.json")
            try AtomicFile.write(Array(#"{"self":"h1","hosts":[{"name":"h1","agent_ip":"198.18.0.1"}]}"#.utf8),
                                 to: "\(state.path)/metadata.json")
            let enable = try Harness.paddock(["plugin", "enable", "notifier", "--config", "\(state.path)/notifier.json",
                                              "--isolation", isolation], pluginPath: plugins, stateDir: state.path)
            XCTAssertEqual(enable.status, .exited(0), enable.stderr)
            let reconcile = try Harness.paddock(["network", "reconcile", "notifier", "--format", "json"],
                                                pluginPath: plugins, stateDir: state.path)
            XCTAssertEqual(reconcile.status, .exited(0), "\(isolation): \(reconcile.stderr)")
            let logged = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            XCTAssertTrue(logged.contains("metadata.changed"), "\(isolation): the driver was notified: \(logged)")
            XCTAssertTrue(logged.contains("198.18.0.1"), "\(isolation): and read metadata through the host: \(logged)")
        }
    }

    /// `paddock agent run ARGUMENTS` on this host's state, plugins and config; output goes to
    /// STATE/agent.out. Killed when the test ends.
    func startAgent(_ arguments: [String], state: String, plugins: String, config: String) throws -> Process {
        let agent = Process()
        agent.executableURL = URL(fileURLWithPath: Harness.paddock)
        agent.arguments = ["agent", "run"] + arguments
        var env = ChildProcess.currentEnvironment()
        env["PADDOCK_STATE_DIR"] = state
        env["PADDOCK_PLUGIN_PATH"] = plugins
        env["PADDOCK_CONFIG_DIR"] = config
        env["HOME"] = "\(state)/home"
        agent.environment = env
        _ = FileManager.default.createFile(atPath: "\(state)/agent.out", contents: nil)
        agent.standardOutput = FileHandle(forWritingAtPath: "\(state)/agent.out")
        agent.standardError = FileHandle(forWritingAtPath: "\(state)/agent.out")
        try agent.run()
        addTeardownBlock {
            if agent.isRunning { kill(agent.processIdentifier, SIGKILL); agent.waitUntilExit() }
        }
        return agent
    }

    func notifiesDriver(isolation: String) throws {
        try Harness.requirePaddock()
        let etcd = try EtcdFixture(self)
        let state = try temporaryDirectory()
        let plugins = try state.subdirectory("plugins")
        let config = "\(state.path)/config"
        let prefix = "/paddock-\(getpid())-agent/"
        try etcd.writeSettings(configDirectory: config, prefix: prefix)
        try Harness.compile(["\(Harness.fixturesDirectory)/notifier.c"], output: "\(plugins)/notifier.so")
        let log = "\(state.path)/notifications.log"
        try AtomicFile.write(Array("{\"log\": \"\(log)\"}".utf8), to: "\(state.path)/notifier.json")
        let environment = ["PADDOCK_CONFIG_DIR": config]
        let enable = try Harness.paddock(["plugin", "enable", "notifier", "--config", "\(state.path)/notifier.json",
                                          "--isolation", isolation],
                                         pluginPath: plugins, stateDir: state.path, environment: environment)
        XCTAssertEqual(enable.status, .exited(0), enable.stderr)

        // Reads without an event only every 600 s: within this test, changes arrive through etcd's watch.
        let agent = try startAgent(["--name", "h1", "--agent-ip", "198.18.0.1", "--ttl", "3", "--interval", "600",
                                    "--watch-interval", "600", "--format", "json"], state: state.path, plugins: plugins, config: config)
        func lines() -> [String] {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        func hostsSeen(_ line: String) -> Set<String> {
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2, let hosts = try? JSONValue(parsing: String(parts[1])) else { return [] }
            return Set((hosts.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
        }
        let output = { (try? String(contentsOfFile: "\(state.path)/agent.out", encoding: .utf8)) ?? "" }

        XCTAssertTrue(waitUntil(seconds: 30) { lines().contains { hostsSeen($0) == ["h1"] } },
                      "the driver was told and saw this host through the metadata service:\n\(lines())\n\(output())")
        XCTAssertTrue(lines().first?.hasPrefix(#"{"reason":"hosts","type":"metadata.changed"}"#) ?? false, "\(lines())")

        let peer = try Harness.paddock(["agent", "publish", "--name", "h2", "--agent-ip", "198.18.0.2", "--ttl", "2"],
                                       pluginPath: plugins, stateDir: state.path, environment: environment)
        XCTAssertEqual(peer.status, .exited(0), peer.stderr)
        XCTAssertTrue(waitUntil(seconds: 30) { lines().contains { hostsSeen($0) == ["h1", "h2"] } },
                      "a peer's arrival reached the driver:\n\(lines())")
        XCTAssertTrue(waitUntil(seconds: 30) { lines().last.map { hostsSeen($0) == ["h1"] } ?? false },
                      "the peer's lease ran out and the driver was told again:\n\(lines())")
        XCTAssertTrue(output().contains(#""driver":"notifier""#) && output().contains(#""ok":true"#), output())

        kill(agent.processIdentifier, SIGTERM)
        agent.waitUntilExit()
        XCTAssertEqual(agent.terminationStatus, 0, output())
        XCTAssertTrue(output().contains(#"{"event":"stopped"}"#), output())
        XCTAssertEqual(try etcd.client(prefix: prefix).range(prefix: prefix).kvs, [], "SIGTERM revoked the lease: the record went at once")
    }

    func testAgentRidesOutAnEtcdOutageAndPublishesAgain() throws {
        try Harness.requirePaddock()
        let etcd = try EtcdFixture(self)
        let state = try temporaryDirectory()
        let config = "\(state.path)/config"
        let prefix = "/paddock-\(getpid())-outage/"
        try etcd.writeSettings(configDirectory: config, prefix: prefix, host: "h1")
        let agent = try startAgent(["--agent-ip", "198.18.0.1", "--ttl", "3", "--watch-interval", "0.3", "--format", "json"],
                                   state: state.path, plugins: try state.subdirectory("plugins"), config: config)
        let output = { (try? String(contentsOfFile: "\(state.path)/agent.out", encoding: .utf8)) ?? "" }
        let published = { output().components(separatedBy: #""event":"published""#).count - 1 }
        XCTAssertTrue(waitUntil(seconds: 30) { published() == 1 }, output())

        etcd.stop()
        XCTAssertTrue(waitUntil(seconds: 30) { output().contains("etcd is unreachable at \(etcd.clientURL)") },
                      "the agent says what is wrong and keeps running:\n\(output())")
        XCTAssertTrue(agent.isRunning)

        try etcd.start()
        XCTAssertTrue(waitUntil(seconds: 30) { published() == 2 }, "published again under a new lease:\n\(output())")
        XCTAssertTrue(waitUntil(seconds: 10) { (try? etcd.client(prefix: prefix).range(prefix: prefix).kvs.map(\.key)) == ["\(prefix)hosts/h1"] },
                      "the record is back")
        kill(agent.processIdentifier, SIGTERM)
        agent.waitUntilExit()
        XCTAssertEqual(agent.terminationStatus, 0, output())
    }

    func testPluginsInAndOutOfProcessReadMetadataFromEtcd() throws {
        try Harness.requirePaddock()
        let etcd = try EtcdFixture(self)
        let state = try temporaryDirectory()
        let plugins = try state.subdirectory("plugins")
        let config = "\(state.path)/config"
        let prefix = "/paddock-\(getpid())-worker/"
        try etcd.writeSettings(configDirectory: config, prefix: prefix)
        try etcd.client(prefix: prefix).put("\(prefix)hosts/h7", Array(#"{"name":"h7","agent_ip":"198.18.0.7","labels":{}}"#.utf8))
        try Harness.compile(["\(Harness.fixturesDirectory)/notifier.c"], output: "\(plugins)/notifier.so")
        try AtomicFile.write(Array("{\"log\": \"\(state.path)/n.log\"}".utf8), to: "\(state.path)/notifier.json")
        let environment = ["PADDOCK_CONFIG_DIR": config]
        for isolation in ["in-process", "process"] {
            let enable = try Harness.paddock(["plugin", "enable", "notifier", "--config", "\(state.path)/notifier.json",
                                              "--isolation", isolation], pluginPath: plugins, stateDir: state.path, environment: environment)
            XCTAssertEqual(enable.status, .exited(0), enable.stderr)
            let status = try Harness.paddock(["plugin", "invoke", "notifier", "network.status"], pluginPath: plugins,
                                             stateDir: state.path, environment: environment)
            XCTAssertEqual(status.status, .exited(0), status.stderr)
            XCTAssertTrue(status.stdout.contains("198.18.0.7"), "\(isolation): the hosts come from etcd: \(status.stdout)")
        }
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
