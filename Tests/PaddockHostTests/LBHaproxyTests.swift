import Foundation
import Glibc
import PaddockPosix
import XCTest

/// The haproxy driver against real HAProxy 2.6 on 127.0.0.1 and real backends in this process.
final class LBHaproxyTests: XCTestCase {
    struct Env {
        var plugins: String
        var state: String
        var run: String
        var temp: TemporaryDirectory

        func paddock(_ arguments: [String]) throws -> Harness.Run {
            try Harness.paddock(arguments, pluginPath: plugins, stateDir: state, timeout: 120)
        }

        /// Writes the balancer file and applies it.
        func apply(_ balancer: [String: Any], expectSuccess: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws -> Harness.Run {
            let path = "\(temp.path)/lb-\(UUID().uuidString).json"
            try JSONSerialization.data(withJSONObject: balancer).write(to: URL(fileURLWithPath: path))
            let run = try paddock(["lb", "apply", path, "--driver", "haproxy", "--format", "json"])
            if expectSuccess { XCTAssertEqual(run.status, .exited(0), run.stderr, file: file, line: line) }
            return run
        }
    }

    func setUpDriver() throws -> Env {
        guard FileSystem.exists("/usr/sbin/haproxy") else {
            throw XCTSkip("HAProxy is not installed (Debian haproxy); .ci/run installs it")
        }
        let temp = try temporaryDirectory("paddock-lb")
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        let run = try temp.subdirectory("run")
        symlink(try Harness.swiftPlugin("LBHaproxy"), "\(plugins)/libLBHaproxy.so")
        let config = "\(temp.path)/haproxy.json"
        try Data(#"{"bind_address": "127.0.0.1", "run_dir": "\#(run)"}"#.utf8).write(to: URL(fileURLWithPath: config))
        let env = Env(plugins: plugins, state: state, run: run, temp: temp)
        let enable = try env.paddock(["plugin", "enable", "haproxy", "--config", config])
        XCTAssertEqual(enable.status, .exited(0), enable.stderr)
        addTeardownBlock {
            // Whatever happened, no HAProxy of this test survives it.
            _ = try? ChildProcess.run("/usr/bin/pkill", arguments: ["-KILL", "-f", run], timeoutSeconds: 10)
        }
        return env
    }

    func servers(_ names: [String]) throws -> [NamedHTTPServer] {
        let servers = try names.map { try NamedHTTPServer(name: $0) }
        addTeardownBlock { servers.forEach { $0.stop() } }
        return servers
    }

    func testEachRuleKindRoutesToItsBackendInRancherOrder() throws {
        let env = try setUpDriver()
        let s = try servers(["default", "api", "wild-end", "wild-beg", "exact", "exact-api", "prio"])
        let port = try LBTest.freePort()
        let rules: [[String: Any]] = [
            ["source_port": port, "protocol": "http", "targets": [s[0].target]],
            ["source_port": port, "protocol": "http", "path": "/api", "targets": [s[1].target]],
            ["source_port": port, "protocol": "http", "hostname": "*.wild.test", "targets": [s[2].target]],
            ["source_port": port, "protocol": "http", "hostname": "www.*", "targets": [s[3].target]],
            ["source_port": port, "protocol": "http", "hostname": "exact.test", "targets": [s[4].target]],
            ["source_port": port, "protocol": "http", "hostname": "exact.test", "path": "/api", "targets": [s[5].target]],
            // Priority beats specificity: this path rule wins over the host+path one for /api/prio.
            ["source_port": port, "protocol": "http", "path": "/api/prio", "priority": -1, "targets": [s[6].target]],
        ]
        let applied = try env.apply(["name": "routes", "lb_config": ["port_rules": rules]])
        XCTAssertEqual((applied.json as? [String: Any])?["applied"] as? String, "start", applied.stdout)
        let cases: [(String, String?, String)] = [
            ("/", nil, "default"),
            ("/api/x", nil, "api"),
            ("/", "a.wild.test", "wild-end"),
            ("/", "www.example.org", "wild-beg"),
            ("/", "exact.test:\(port)", "exact"),
            ("/api/v1", "exact.test", "exact-api"),
            ("/api/prio", "exact.test", "prio"),
        ]
        for (path, host, expected) in cases {
            let reply = LBTest.get(port, path: path, host: host)
            XCTAssertEqual(reply.status, 200, "\(path) \(host ?? "-"): \(reply.body)")
            XCTAssertEqual(reply.body.trimmingCharacters(in: .whitespacesAndNewlines), expected, "\(path) host \(host ?? "-")")
        }
        let config = try String(contentsOfFile: "\(env.run)/routes/haproxy.cfg", encoding: .utf8)
        XCTAssertTrue(config.contains("frontend \(port)"), config)
        XCTAssertTrue(config.contains("backend \(port)___api"), "rancher's <port>_<host>_<path> with / as _: \(config)")
    }

    func testHTTPSPicksTheCertificateBySNIAndRoutesByHost() throws {
        let env = try setUpDriver()
        let s = try servers(["alpha", "beta"])
        let certs = try TestCertificates(directory: try env.temp.subdirectory("certs"))
        let alpha = try certs.issue("alpha.test"), beta = try certs.issue("beta.test")
        let port = try LBTest.freePort()
        _ = try env.apply(["name": "tls", "lb_config": [
            "port_rules": [
                ["source_port": port, "protocol": "https", "hostname": "alpha.test", "targets": [s[0].target]],
                ["source_port": port, "protocol": "https", "hostname": "beta.test", "targets": [s[1].target]],
            ],
            "default_cert": alpha, "certs": [beta],
        ]])
        // Both names verify against the test CA, so each got its own certificate.
        XCTAssertEqual(try certs.presentedName(port: port, name: "alpha.test"), "alpha.test")
        XCTAssertEqual(try certs.presentedName(port: port, name: "beta.test"), "beta.test")
        XCTAssertEqual(try certs.get(port: port, name: "alpha.test").body, "alpha")
        let reply = try certs.get(port: port, name: "beta.test")
        XCTAssertEqual(reply.body, "beta", reply.error)
    }

    func testSNIRulesPassTLSThroughToTheNamedBackend() throws {
        let env = try setUpDriver()
        let certs = try TestCertificates(directory: try env.temp.subdirectory("certs"))
        // Two TLS servers (openssl s_server) with different certificates stand for two backends.
        var backends: [(name: String, port: Int)] = []
        for name in ["one.test", "two.test"] {
            let pem = try certs.issue(name)
            let port = try LBTest.freePort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", pem, "-key", pem, "-www", "-quiet"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            addTeardownBlock { process.terminate() }
            backends.append((name, port))
        }
        usleep(500_000)
        let port = try LBTest.freePort()
        _ = try env.apply(["name": "passthrough", "lb_config": ["port_rules": backends.map { backend -> [String: Any] in
            ["source_port": port, "protocol": "sni", "hostname": backend.name, "targets": ["127.0.0.1:\(backend.port)"]]
        }]])
        // HAProxy does not terminate TLS here: the certificate seen is the backend's own.
        XCTAssertEqual(try certs.presentedName(port: port, name: "one.test"), "one.test")
        XCTAssertEqual(try certs.presentedName(port: port, name: "two.test"), "two.test")
    }

    func testARancherComposeYAMLFileIsAccepted() throws {
        let env = try setUpDriver()
        let s = try servers(["from-yaml"])
        let port = try LBTest.freePort()
        let file = "\(env.temp.path)/rancher-compose.yml"
        let yaml = """
            version: '2'
            services:
              web:
                scale: 2
              web-lb:
                scale: 1
                lb_config:
                  port_rules:
                  - source_port: \(port)
                    protocol: http
                    targets:
                    - \(s[0].target)
                health_check:
                  interval: 2000
                  healthy_threshold: 2
                  unhealthy_threshold: 3
                  response_timeout: 2000
            """
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: file))
        let run = try env.paddock(["lb", "apply", file, "--driver", "haproxy"])
        XCTAssertEqual(run.status, .exited(0), run.stderr)
        XCTAssertEqual(run.stdout, "Applied web-lb with haproxy: start.\n")
        XCTAssertEqual(LBTest.get(port).body.trimmingCharacters(in: .whitespacesAndNewlines), "from-yaml")
        let two = "\(env.temp.path)/two.yml"
        try Data((yaml + "\n  other-lb:\n    lb_config:\n      port_rules: []\n").utf8).write(to: URL(fileURLWithPath: two))
        let ambiguous = try env.paddock(["lb", "apply", two, "--driver", "haproxy"])
        XCTAssertEqual(ambiguous.status, .exited(1))
        XCTAssertTrue(ambiguous.stderr.contains("pick one with --name (other-lb, web-lb)"), ambiguous.stderr)
        let broken = "\(env.temp.path)/broken.yml"
        try Data("services: [unclosed".utf8).write(to: URL(fileURLWithPath: broken))
        let bad = try env.paddock(["lb", "apply", broken, "--driver", "haproxy"])
        XCTAssertEqual(bad.status, .exited(1))
        XCTAssertTrue(bad.stderr.contains("neither JSON nor YAML"), bad.stderr)
    }

    func testTCPRulesAndEmptyTargetsAnswer503() throws {
        let env = try setUpDriver()
        let tcp = try NamedHTTPServer(name: "tcp-backend", tcpOnly: true)
        addTeardownBlock { tcp.stop() }
        let tcpPort = try LBTest.freePort(), httpPort = try LBTest.freePort()
        _ = try env.apply(["name": "mixed", "lb_config": ["port_rules": [
            ["source_port": tcpPort, "protocol": "tcp", "targets": [tcp.target]],
            ["source_port": httpPort, "protocol": "http", "targets": [] as [String]],
        ]]])
        XCTAssertEqual(LBTest.tcpLine(tcpPort), "tcp-backend")
        XCTAssertEqual(LBTest.get(httpPort).status, 503, "an empty target list answers 503, not a crash")
    }

    func testStickinessAndHealthChecksFollowTheBackends() throws {
        let env = try setUpDriver()
        let s = try servers(["one", "two"])
        let port = try LBTest.freePort()
        _ = try env.apply([
            "name": "sticky",
            "lb_config": ["port_rules": [["source_port": port, "targets": s.map(\.target)]],
                          "stickiness_policy": ["cookie": "PSRV", "mode": "insert", "indirect": true, "nocache": true]],
            "health_check": ["interval": 300, "healthy_threshold": 2, "unhealthy_threshold": 2, "response_timeout": 250,
                             "request_line": "GET /healthz HTTP/1.0"],
        ])
        // A client without the cookie gets one; with it, it stays on that server.
        let first = LBTest.get(port)
        let cookieLine = first.headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie: psrv=") }
        let cookie = try XCTUnwrap(cookieLine.map { String($0.dropFirst("set-cookie: ".count).split(separator: ";").first ?? "") }, first.headers)
        let pinned = first.body.trimmingCharacters(in: .whitespacesAndNewlines)
        for _ in 0..<10 {
            XCTAssertEqual(LBTest.get(port, cookie: cookie).body.trimmingCharacters(in: .whitespacesAndNewlines), pinned)
        }
        // Wait for both UP, then kill the pinned one: within interval x unhealthy_threshold (+ slack)
        // it is DOWN and gets no traffic.
        try waitForStates(env, "sticky", ["UP", "UP"], within: 5)
        let killed = s.first { $0.name == pinned }!
        killed.stop()
        try waitForStates(env, "sticky", nil, within: 0.3 * 2 + 3) { states in states[killed.target] == "DOWN" }
        let healthyName = s.first { $0.name != pinned }!.name
        for _ in 0..<6 {
            XCTAssertEqual(LBTest.get(port).body.trimmingCharacters(in: .whitespacesAndNewlines), healthyName, "no traffic to a DOWN server")
        }
        // Restarted on its address, it returns: INIT is reported before UP.
        let restarted = try NamedHTTPServer(name: pinned, port: killed.port)
        addTeardownBlock { restarted.stop() }
        var seen: [String] = []
        let deadline = ChildProcess.monotonicSeconds() + 6
        while ChildProcess.monotonicSeconds() < deadline, seen.last != "UP" {
            if let state = try states(env, "sticky")[killed.target], seen.last != state { seen.append(state) }
            usleep(50_000)
        }
        XCTAssertEqual(Array(seen.drop { $0 == "DOWN" }.prefix(2)), ["INIT", "UP"], "states seen: \(seen)")
        XCTAssertEqual(LBTest.get(port, cookie: cookie).body.trimmingCharacters(in: .whitespacesAndNewlines), pinned, "it serves again")
        let table = try env.paddock(["lb", "status", "sticky"])
        XCTAssertTrue(table.stdout.hasPrefix("BACKEND"), table.stdout)
        XCTAssertTrue(table.stdout.contains("L7OK"), table.stdout)
    }

    func testReloadsUnderLoadFailNoRequestAndServerChangesNeedNoReload() throws {
        let env = try setUpDriver()
        let s = try servers(["a", "b", "c"])
        let port = try LBTest.freePort()
        func balancer(_ targets: [String], timeoutServer: Int) -> [String: Any] {
            ["name": "busy", "lb_config": [
                "port_rules": [["source_port": port, "targets": targets]],
                "config": "defaults\n  timeout server \(timeoutServer)\n",
            ]]
        }
        _ = try env.apply(balancer([s[0].target, s[1].target], timeoutServer: 50000))
        // 1. Config changes (not only servers) → 50 reloads, under wrk load.
        var reloads = 0
        let loaded = try LBTest.wrk(port: port, seconds: 40) {
            for round in 0..<50 {
                let run = try env.apply(balancer([s[0].target, s[1].target], timeoutServer: 40000 + round))
                if (run.json as? [String: Any])?["applied"] as? String == "reload" { reloads += 1 }
            }
        }
        XCTAssertEqual(reloads, 50)
        XCTAssertGreaterThan(loaded.requests, 1000, loaded.output)
        XCTAssertEqual(loaded.non2xx, 0, loaded.output)
        XCTAssertEqual(loaded.socketErrors, 0, loaded.output)
        print("LBHaproxyTests: 50 reloads under wrk: \(loaded.requests) requests, \(loaded.non2xx) non-2xx, \(loaded.socketErrors) socket errors")

        // 2. Only servers change → runtime API, the worker is not replaced.
        let before = try status(env, "busy")
        let workerBefore = before["worker_pid"] as? Int
        let runtime = try LBTest.wrk(port: port, seconds: 6) {
            for targets in [[s[0].target, s[1].target, s[2].target], [s[1].target, s[2].target], [s[2].target, s[0].target]] {
                let run = try env.apply(balancer(targets, timeoutServer: 40049))
                XCTAssertEqual((run.json as? [String: Any])?["applied"] as? String, "runtime", run.stdout + run.stderr)
            }
        }
        XCTAssertEqual(runtime.non2xx, 0, runtime.output)
        XCTAssertEqual(runtime.socketErrors, 0, runtime.output)
        let after = try status(env, "busy")
        XCTAssertEqual(after["worker_pid"] as? Int, workerBefore, "no reload happened")
        let addresses = Set((after["servers"] as? [[String: Any]] ?? []).compactMap { $0["address"] as? String })
        XCTAssertEqual(addresses, [s[2].target, s[0].target])
        // ...and the change is in the config file, so a later reload keeps it.
        let config = try String(contentsOfFile: "\(env.run)/busy/haproxy.cfg", encoding: .utf8)
        XCTAssertTrue(config.contains(s[2].target) && !config.contains(s[1].target), config)
    }

    func testABadConfigIsRejectedWhileTrafficKeepsFlowing() throws {
        let env = try setUpDriver()
        let s = try servers(["steady"])
        let port = try LBTest.freePort()
        _ = try env.apply(["name": "steady", "lb_config": ["port_rules": [["source_port": port, "targets": [s[0].target]]]]])
        let bad = try env.apply(["name": "steady", "lb_config": [
            "port_rules": [["source_port": port, "targets": [s[0].target]]],
            "config": "defaults\n  timeout connect banana\n",
        ]], expectSuccess: false)
        XCTAssertEqual(bad.status, .exited(1))
        XCTAssertTrue(bad.stderr.contains("HAProxy rejects the new config"), bad.stderr)
        XCTAssertTrue(bad.stderr.contains("timeout connect banana"), "quotes the offending line: \(bad.stderr)")
        XCTAssertEqual(LBTest.get(port).body.trimmingCharacters(in: .whitespacesAndNewlines), "steady", "still serving")
    }

    func testBadInputIsRefusedNamingTheRule() throws {
        let env = try setUpDriver()
        let port = try LBTest.freePort()
        let notPEM = "\(env.temp.path)/not.pem"
        try Data("hello".utf8).write(to: URL(fileURLWithPath: notPEM))
        let cases: [([String: Any], String)] = [
            (["port_rules": [["source_port": 70000, "targets": ["127.0.0.1:1"]]]], "port_rules[0].source_port"),
            (["port_rules": [["source_port": port, "protocol": "http", "targets": ["127.0.0.1:1"]],
                             ["source_port": port, "protocol": "tcp", "targets": ["127.0.0.1:1"]]]], "already used with protocol http"),
            (["port_rules": [["source_port": port, "hostname": "a b.test", "targets": ["127.0.0.1:1"]]]], "must not be empty or contain spaces"),
            (["port_rules": [["source_port": port, "path": "api", "targets": ["127.0.0.1:1"]]]], "must start with /"),
            (["port_rules": [["source_port": port, "service": "nosuch"]]], "unknown service \"nosuch\""),
            (["port_rules": [["source_port": port, "protocol": "https", "targets": ["127.0.0.1:1"]]], "default_cert": notPEM], "is not PEM"),
            (["port_rules": [["source_port": port, "targets": ["127.0.0.1:1"]]], "config": "backend nosuch\n  frobnicate yes\n"], "HAProxy rejects"),
            (["port_rules": [["source_port": port, "protocol": "udp", "targets": ["127.0.0.1:1"]]]], "udp is not supported"),
        ]
        for (config, reason) in cases {
            let run = try env.apply(["name": "bad", "lb_config": config], expectSuccess: false)
            XCTAssertEqual(run.status, .exited(1), "\(config)")
            XCTAssertTrue(run.stderr.contains(reason), "\(reason): \(run.stderr)")
        }
        XCTAssertFalse(FileSystem.exists("\(env.run)/bad/haproxy.pid"), "nothing was started")
        let unknown = try env.paddock(["lb", "status", "bad"])
        XCTAssertEqual(unknown.status, .exited(1))
        XCTAssertTrue(unknown.stderr.contains("no balancer named bad"), unknown.stderr)
    }

    func testRemoveStopsHAProxyAndReleasesTheDriver() throws {
        let env = try setUpDriver()
        let s = try servers(["gone"])
        let port = try LBTest.freePort()
        _ = try env.apply(["name": "temp", "lb_config": ["port_rules": [["source_port": port, "targets": [s[0].target]]]]])
        let disable = try env.paddock(["plugin", "disable", "haproxy"])
        XCTAssertEqual(disable.status, .exited(1))
        XCTAssertTrue(disable.stderr.contains("lb:temp"), disable.stderr)
        let removed = try env.paddock(["lb", "remove", "temp"])
        XCTAssertEqual(removed.status, .exited(0), removed.stderr)
        XCTAssertEqual(LBTest.get(port).status, 0, "nothing listens any more")
        XCTAssertFalse(FileSystem.exists("\(env.run)/temp"))
        XCTAssertEqual(try env.paddock(["plugin", "disable", "haproxy"]).status, .exited(0))
    }

    // MARK: helpers

    func status(_ env: Env, _ name: String) throws -> [String: Any] {
        let run = try env.paddock(["lb", "status", name, "--format", "json"])
        XCTAssertEqual(run.status, .exited(0), run.stderr)
        return try XCTUnwrap(run.json as? [String: Any], run.stdout)
    }

    func states(_ env: Env, _ name: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for server in try status(env, name)["servers"] as? [[String: Any]] ?? [] {
            if let address = server["address"] as? String { result[address] = server["state"] as? String }
        }
        return result
    }

    func waitForStates(_ env: Env, _ name: String, _ expected: [String]?, within seconds: Double,
                       until condition: (([String: String]) -> Bool)? = nil) throws {
        let deadline = ChildProcess.monotonicSeconds() + seconds
        var last: [String: String] = [:]
        while ChildProcess.monotonicSeconds() < deadline {
            last = try states(env, name)
            if let expected, last.values.sorted() == expected.sorted() { return }
            if let condition, condition(last) { return }
            usleep(100_000)
        }
        XCTFail("states did not settle within \(seconds) s: \(last)")
    }
}
