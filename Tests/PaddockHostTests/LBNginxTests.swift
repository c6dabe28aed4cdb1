import Foundation
import Glibc
import PaddockPosix
import XCTest

/// The nginx lb driver through the real `paddock` binary, with real nginx on 127.0.0.1 high ports
/// and backends in this process.
final class LBNginxTests: XCTestCase {
    func rules(_ items: [[String: Any]], config: [String: Any] = [:]) -> [String: Any] {
        var lbConfig = config
        lbConfig["port_rules"] = items
        return lbConfig
    }

    func testCapabilitiesAreHonestAndUnknownBalancersAreNotFound() throws {
        let lb = try LBNginxFixture(self)
        let (code, capabilities) = try lb.invoke("capabilities", [:])
        XCTAssertEqual(code, 0)
        XCTAssertEqual(capabilities["active_health"] as? Bool, false)
        XCTAssertEqual(capabilities["runtime_servers"] as? Bool, false)
        XCTAssertEqual(capabilities["stickiness"] as? String, "cookie_hash")
        XCTAssertEqual(capabilities["protocols"] as? [String], ["http", "https", "tcp", "sni", "udp"])
        let status = try lb.refused("status", ["name": "nothing"], code: 101)
        XCTAssertTrue((status["msg"] as? String ?? "").contains("no balancer named \"nothing\""), "\(status)")
        let (removeCode, removed) = try lb.invoke("remove", ["name": "nothing"])
        XCTAssertEqual(removeCode, 0, "remove of an absent balancer succeeds: \(removed)")
        XCTAssertEqual(removed["removed"] as? Bool, false)
        // The enable config is checked against the manifest's schema.
        let bad = "\(lb.temp.path)/bad.json"
        try Data(#"{"nginx": "/usr/sbin/nginx", "workers": 4}"#.utf8).write(to: URL(fileURLWithPath: bad))
        let refused = try lb.paddock(["plugin", "enable", "nginx", "--config", bad])
        XCTAssertEqual(refused.status, .exited(1), "\(refused)")
        XCTAssertTrue(refused.stderr.contains("workers"), refused.stderr)
        let missing = "\(lb.temp.path)/missing.json"
        try Data(#"{"nginx": "/nonexistent/nginx"}"#.utf8).write(to: URL(fileURLWithPath: missing))
        // The driver checks its binary when the host creates it, i.e. on the first call.
        XCTAssertEqual(try lb.paddock(["plugin", "enable", "nginx", "--config", missing]).status, .exited(0))
        let noBinary = try lb.paddock(["plugin", "invoke", "nginx", "lb.capabilities", "{}"])
        XCTAssertNotEqual(noBinary.status, .exited(0))
        XCTAssertTrue((noBinary.stderr + noBinary.stdout).contains("install nginx"), noBinary.stderr + noBinary.stdout)
    }

    func testHostWildcardPathAndPriorityRulesRouteInRancherOrder() throws {
        let lb = try LBNginxFixture(self)
        let a = try lb.backend("alpha"), b = try lb.backend("bravo"), c = try lb.backend("charlie"), d = try lb.backend("delta")
        let port = try LBTestClient.freePort(), priorityPort = try LBTestClient.freePort()
        let answer = try lb.apply(["name": "routes", "lb_config": rules([
            ["source_port": port, "hostname": "*.example.com", "targets": [b.address]],
            ["source_port": port, "hostname": "www.*", "targets": [c.address]],
            ["source_port": port, "path": "/static", "targets": [d.address]],
            ["source_port": port, "hostname": "api.example.com", "path": "/v1", "targets": [a.address]],
            // Priority beats nginx's own preferences: a longer path and an exact name lose here.
            ["source_port": priorityPort, "path": "/a", "priority": 1, "targets": [a.address]],
            ["source_port": priorityPort, "path": "/a/b", "priority": 2, "targets": [b.address]],
            ["source_port": priorityPort, "hostname": "*.p.test", "priority": 3, "targets": [c.address]],
            ["source_port": priorityPort, "hostname": "x.p.test", "priority": 4, "targets": [d.address]],
        ])])
        XCTAssertEqual(answer["applied"] as? String, "start")
        let cases: [(Int, String, String, Int, String)] = [
            (port, "api.example.com", "/v1/users", 200, "alpha"),  // host+path before host
            (port, "api.example.com", "/other", 200, "bravo"),     // *.x
            (port, "shop.example.com", "/", 200, "bravo"),
            (port, "www.anything.org", "/", 200, "charlie"),       // x.*
            (port, "other.test", "/static/app.js", 200, "delta"),  // path only
            (port, "other.test", "/", 503, ""),                    // nothing matches: 503
            (port, "example.com", "/", 503, ""),                   // *.example.com needs a subdomain
            (priorityPort, "any", "/a/b/c", 200, "alpha"),         // priority 1 wins over the longer /a/b
            (priorityPort, "x.p.test", "/", 200, "charlie"),       // priority 3 wins over the exact name
            (priorityPort, "y.p.test", "/", 200, "charlie"),
        ]
        for (target, host, path, status, body) in cases {
            let response = try LBTestClient.get(target, host: host, path: path)
            XCTAssertEqual(response.status, status, "\(host)\(path) on \(target): \(response.body)")
            if status == 200 { XCTAssertEqual(response.body, body, "\(host)\(path) on \(target)") }
        }
    }

    func testTCPUDPAndSNIRulesGoThroughTheStreamModule() throws {
        let lb = try LBNginxFixture(self)
        let web = try lb.backend("tcp-web")
        let one = try lb.backend("sni-one", mode: .greeting), two = try lb.backend("sni-two", mode: .greeting)
        let fallback = try lb.backend("sni-fallback", mode: .greeting)
        let dns = try lb.backend("udp-echo", mode: .udp)
        let tcpPort = try LBTestClient.freePort(), sniPort = try LBTestClient.freePort(), udpPort = try LBTestClient.freePort()
        try lb.apply(["name": "streams", "lb_config": rules([
            ["source_port": tcpPort, "protocol": "tcp", "targets": [web.address]],
            ["source_port": sniPort, "protocol": "sni", "hostname": "one.test", "targets": [one.address]],
            ["source_port": sniPort, "protocol": "sni", "hostname": "*.two.test", "targets": [two.address]],
            ["source_port": sniPort, "protocol": "sni", "targets": [fallback.address]],
            ["source_port": udpPort, "protocol": "udp", "targets": [dns.address]],
        ])])
        // tcp: bytes pass through untouched (here an HTTP exchange with the backend itself).
        let response = try LBTestClient.get(tcpPort, host: "whatever")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body, "tcp-web")
        XCTAssertEqual(response.headers["x-backend"], "tcp-web")
        // sni: routed on the ClientHello's server name, TLS left to the backend.
        XCTAssertEqual(try LBTestClient.sniGreeting(sniPort, serverName: "one.test"), "sni-one")
        XCTAssertEqual(try LBTestClient.sniGreeting(sniPort, serverName: "a.two.test"), "sni-two")
        XCTAssertEqual(try LBTestClient.sniGreeting(sniPort, serverName: "elsewhere.test"), "sni-fallback")
        XCTAssertEqual(try LBTestClient.udp(udpPort, "ping"), "udp-echo")
        let config = try String(contentsOfFile: "\(lb.runDirectory)/streams/nginx.conf", encoding: .utf8)
        XCTAssertTrue(config.contains("load_module /usr/lib/nginx/modules/ngx_stream_module.so;"), config)
        XCTAssertTrue(config.contains("ssl_preread on;"), config)
    }

    func testHTTPSServesTheCertificateTheClientAsksForBySNI() throws {
        let lb = try LBNginxFixture(self)
        let certificates = try LBTestCertificates(in: try lb.temp.subdirectory("tls"))
        let alpha = try certificates.issue("alpha", names: ["alpha.test"])
        let bravo = try certificates.issue("bravo", names: ["bravo.test", "*.bravo.test"])
        let a = try lb.backend("https-alpha"), b = try lb.backend("https-bravo")
        let port = try LBTestClient.freePort()
        try lb.apply(["name": "tls", "lb_config": rules([
            ["source_port": port, "protocol": "https", "hostname": "alpha.test", "targets": [a.address]],
            ["source_port": port, "protocol": "https", "hostname": "*.bravo.test", "targets": [b.address]],
            ["source_port": port, "protocol": "https", "hostname": "bravo.test", "targets": [b.address]],
        ], config: ["certs": [alpha, bravo], "default_cert": alpha])])
        // curl verifies the chain against the test CA and the name: a wrong certificate fails.
        for (name, expected) in [("alpha.test", "https-alpha"), ("bravo.test", "https-bravo"), ("www.bravo.test", "https-bravo")] {
            let run = try ChildProcess.run("/usr/bin/curl", arguments: [
                "-sS", "--max-time", "5", "--cacert", certificates.ca, "--resolve", "\(name):\(port):127.0.0.1",
                "-w", "\n%{http_code}", "https://\(name):\(port)/",
            ], timeoutSeconds: 20)
            let output = String(decoding: run.stdout, as: UTF8.self)
            XCTAssertEqual(run.termination, .exited(0), "\(name): \(String(decoding: run.stderr, as: UTF8.self))")
            XCTAssertEqual(output, "\(expected)\n200", name)
        }
        // A name no certificate covers gets the default certificate.
        let subject = try ChildProcess.run("/bin/sh", arguments: ["-c",
            "openssl s_client -connect 127.0.0.1:\(port) -servername unknown.test </dev/null 2>/dev/null | openssl x509 -noout -subject"],
            timeoutSeconds: 20)
        XCTAssertTrue(String(decoding: subject.stdout, as: UTF8.self).contains("CN = alpha.test"), String(decoding: subject.stdout, as: UTF8.self))
    }

    func testCookieStickinessHoldsAClientToOneServer() throws {
        let lb = try LBNginxFixture(self)
        let servers = try (1...3).map { try lb.backend("sticky-\($0)") }
        let port = try LBTestClient.freePort()
        try lb.apply(["name": "sticky", "lb_config": rules([["source_port": port, "targets": servers.map(\.address)]],
                                                          config: ["stickiness_policy": ["cookie": "PADDOCKSRV", "mode": "insert"]])])
        // A new client is given the cookie…
        let first = try LBTestClient.get(port)
        let setCookie = try XCTUnwrap(first.headers["set-cookie"], "\(first.headers)")
        XCTAssertTrue(setCookie.hasPrefix("PADDOCKSRV="), setCookie)
        let cookie = String(setCookie.split(separator: ";")[0])
        // …and every request that carries it lands on the same server.
        let pinned = try (0..<30).map { _ in try LBTestClient.get(port, headers: ["Cookie": cookie]) }
        XCTAssertEqual(Set(pinned.map(\.body)).count, 1, "\(pinned.map(\.body))")
        XCTAssertEqual(pinned[0].body, first.body)
        XCTAssertNil(pinned[0].headers["set-cookie"], "a client with the cookie keeps it")
        // Different clients are spread over the servers, so the pinning is the cookie's doing.
        let spread = Set(try (0..<40).map { try LBTestClient.get(port, headers: ["Cookie": "PADDOCKSRV=client\($0)"]).body })
        XCTAssertGreaterThan(spread.count, 1, "\(spread)")

        // ip_hash through the custom config, and the modes nginx cannot do are refused, not faked.
        let ipPort = try LBTestClient.freePort()
        try lb.apply(["name": "iphash", "lb_config": rules([["source_port": ipPort, "targets": servers.map(\.address)]],
                                                          config: ["config": "upstream \(ipPort)__\n    ip_hash;\n"])])
        XCTAssertEqual(Set(try (0..<20).map { _ in try LBTestClient.get(ipPort).body }).count, 1)
        let config = try String(contentsOfFile: "\(lb.runDirectory)/iphash/nginx.conf", encoding: .utf8)
        XCTAssertTrue(config.contains("ip_hash;"), config)
        let prefix = try lb.refused("apply", ["name": "sticky", "lb_config": rules([["source_port": port, "targets": servers.map(\.address)]],
                                              config: ["stickiness_policy": ["cookie": "SRV", "mode": "prefix"]])], code: 100)
        XCTAssertTrue((prefix["msg"] as? String ?? "").contains("mode \"prefix\" is not supported"), "\(prefix)")
    }

    func testAKilledBackendIsTakenOutPassivelyAndComesBack() throws {
        let lb = try LBNginxFixture(self)
        let up = try lb.backend("steady"), down = try lb.backend("doomed")
        let port = try LBTestClient.freePort()
        // unhealthy_threshold 2 → max_fails=2; 1000 ms × 2 → fail_timeout=2s.
        let answer = try lb.apply(["name": "passive", "lb_config": rules([["source_port": port, "targets": [up.address, down.address]]]),
                                   "health_check": ["interval": 1000, "unhealthy_threshold": 2, "healthy_threshold": 2,
                                                    "response_timeout": 1000, "request_line": "GET /healthz HTTP/1.0"]])
        let warnings = answer["warnings"] as? [String] ?? []
        XCTAssertTrue(warnings.contains { $0.contains("request_line") && $0.contains("passively") }, "\(warnings)")
        XCTAssertEqual(Set(try (0..<10).map { _ in try LBTestClient.get(port).body }), ["steady", "doomed"])

        down.stop()
        let after = try (0..<20).map { _ in try LBTestClient.get(port) }
        XCTAssertEqual(after.map(\.status), Array(repeating: 200, count: 20), "nginx retries the next server")
        XCTAssertEqual(Set(after.map(\.body)), ["steady"])
        let (_, status) = try lb.invoke("status", ["name": "passive"])
        XCTAssertEqual(status["health"] as? String, "passive")
        let servers = try XCTUnwrap(status["servers"] as? [[String: Any]])
        let doomed = try XCTUnwrap(servers.first { $0["address"] as? String == down.address })
        let steady = try XCTUnwrap(servers.first { $0["address"] as? String == up.address })
        XCTAssertEqual(doomed["state"] as? String, "DOWN", "\(doomed)")
        XCTAssertTrue((doomed["check"] as? String ?? "").hasPrefix("passive (max_fails=2 fail_timeout=2s)"), "\(doomed)")
        XCTAssertTrue((doomed["last_failure"] as? String ?? "").contains("Connection refused"), "\(doomed)")
        XCTAssertEqual(steady["state"] as? String, "UP")
        XCTAssertEqual(steady["check"] as? String, "passive (max_fails=2 fail_timeout=2s)")

        // Back on its port, it gets traffic again once fail_timeout has passed, and status says UP.
        let servedBefore = down.requests
        try down.start()
        let deadline = Date().addingTimeInterval(8)
        while down.requests == servedBefore && Date() < deadline {
            XCTAssertEqual(try LBTestClient.get(port).status, 200)
            usleep(50_000)
        }
        XCTAssertGreaterThan(down.requests, servedBefore, "the restarted backend receives traffic again")
        var back: [String: Any]?
        while Date() < deadline.addingTimeInterval(3) {
            let (_, later) = try lb.invoke("status", ["name": "passive"])
            back = (later["servers"] as? [[String: Any]] ?? []).first { $0["address"] as? String == down.address }
            if back?["state"] as? String == "UP" { break }
            usleep(200_000)
        }
        XCTAssertEqual(back?["state"] as? String, "UP", "\(back ?? [:])")
    }

    func testFiftyReloadsUnderLoadLoseNoRequest() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else { throw XCTSkip("wrk is not installed (Debian: apt-get install wrk)") }
        let lb = try LBNginxFixture(self)
        let servers = try (1...3).map { try lb.backend("load-\($0)") }
        let port = try LBTestClient.freePort()
        func variant(_ step: Int) -> [String: Any] {
            let targets = [[0], [0, 1], [0, 1, 2], [1, 2]][step % 4].map { servers[$0].address }
            var items: [[String: Any]] = [["source_port": port, "targets": targets]]
            if step % 3 == 1 { items.append(["source_port": port, "path": "/other", "targets": [servers[2].address]]) }
            return ["name": "load", "lb_config": rules(items), "health_check": ["interval": 1000 + step * 100, "unhealthy_threshold": 3]]
        }
        let first = try lb.apply(variant(0))
        let master = first["pid"] as? Int

        let done = DispatchSemaphore(value: 0)
        let wrkOutput = LockedArray()
        DispatchQueue.global().async {
            let run = try? ChildProcess.run("/usr/bin/wrk", arguments: ["-d", "40s", "-c", "20", "-t", "2", "http://127.0.0.1:\(port)/"],
                                            timeoutSeconds: 70)
            wrkOutput.append(run.map { String(decoding: $0.stdout, as: UTF8.self) + String(decoding: $0.stderr, as: UTF8.self) } ?? "wrk did not run")
            done.signal()
        }
        usleep(300_000)
        let started = Date()
        for step in 1...50 {
            let answer = try lb.apply(variant(step))
            XCTAssertEqual(answer["applied"] as? String, "reload", "step \(step)")
            XCTAssertEqual(answer["pid"] as? Int, master, "a reload keeps the master")
        }
        let reloading = Date().timeIntervalSince(started)
        XCTAssertEqual(done.wait(timeout: .now()), .timedOut,
                       "wrk ended before the 50th reload (\(reloading) s): the machine is too busy for this test to prove anything")
        XCTAssertEqual(done.wait(timeout: .now() + 75), .success)
        let report = WrkReport(wrkOutput.items.joined())
        print("nginx 50 reloads under wrk -d 40s -c 20 -t 2: \(report.requests) requests, \(report.non2xx) non-2xx, \(report.socketErrors) socket errors; reloads took \(String(format: "%.1f", reloading)) s")
        XCTAssertGreaterThan(report.requests, 1000, report.text)
        XCTAssertEqual(report.non2xx, 0, report.text)
        XCTAssertEqual(report.socketErrors, 0, report.text)
        // The same config again is not a reload.
        XCTAssertEqual(try lb.apply(variant(50))["applied"] as? String, "unchanged")
    }

    func testABadConfigPushedWhileServingIsRejectedAndTrafficKeepsFlowing() throws {
        let lb = try LBNginxFixture(self)
        let web = try lb.backend("serving")
        let port = try LBTestClient.freePort()
        let good: [String: Any] = ["name": "guarded", "lb_config": rules([["source_port": port, "targets": [web.address]]])]
        let master = try lb.apply(good)["pid"] as? Int
        let configFile = "\(lb.runDirectory)/guarded/nginx.conf"
        let before = try String(contentsOfFile: configFile, encoding: .utf8)

        let stop = DispatchSemaphore(value: 0), finished = DispatchSemaphore(value: 0)
        let tally = LockedArray()
        DispatchQueue.global().async {
            while stop.wait(timeout: .now()) == .timedOut {
                let response = try? LBTestClient.get(port)
                tally.append(response.map { "\($0.status) \($0.body)" } ?? "failed")
            }
            finished.signal()
        }
        usleep(200_000)
        var bad = good
        bad["lb_config"] = rules([["source_port": port, "targets": [web.address]]],
                                 config: ["config": "http\n    keepalive_timeout 5s;\n    no_such_directive on;\n"])
        let refused = try lb.refused("apply", bad, code: 7)
        let message = refused["msg"] as? String ?? ""
        XCTAssertTrue(message.contains("unknown directive \"no_such_directive\""), message)
        XCTAssertTrue(message.contains("lb_config.config line 3 (section http)"), message)
        XCTAssertTrue((refused["details"] as? String ?? "").contains("running config keeps serving"), "\(refused)")
        // A port another program holds passes nginx -t but fails the reload: nginx keeps the old
        // config, the driver puts the old file back and names the rule that wants the port.
        var taken = good
        taken["lb_config"] = rules([["source_port": port, "targets": [web.address]],
                                    ["source_port": Int(web.port), "targets": [web.address]]])
        let busy = try lb.refused("apply", taken, code: 7)
        let busyMessage = busy["msg"] as? String ?? ""
        XCTAssertTrue(busyMessage.contains("refused the reload and keeps the previous config"), busyMessage)
        XCTAssertTrue(busyMessage.contains("Address already in use"), busyMessage)
        XCTAssertTrue(busyMessage.contains("wanted by port_rules[1] (source_port \(web.port))"), busyMessage)
        usleep(300_000)
        stop.signal()
        finished.wait()
        let results = tally.items
        XCTAssertGreaterThan(results.count, 10)
        XCTAssertEqual(results.filter { $0 != "200 serving" }, [], "every request during the refused apply was served")
        XCTAssertEqual(try String(contentsOfFile: configFile, encoding: .utf8), before, "the running config file is untouched")
        let (_, status) = try lb.invoke("status", ["name": "guarded"])
        XCTAssertEqual(status["pid"] as? Int, master)
        XCTAssertEqual(try LBTestClient.get(port).body, "serving")
    }

    func testBadInputIsRefusedNamingTheRuleAndTheFix() throws {
        let lb = try LBNginxFixture(self)
        let web = try lb.backend("web")
        try lb.writeMetadata(["containers": [["name": "api-1", "ip": "127.0.0.1", "service": "api", "stack": "shop", "host": "h1"]]])
        let notPEM = "\(lb.temp.path)/not-a-cert.pem"
        try Data("this is not a certificate\n".utf8).write(to: URL(fileURLWithPath: notPEM))
        let port = try LBTestClient.freePort()
        func request(_ rule: [String: Any], _ extra: [String: Any] = [:]) -> [String: Any] {
            var rule = rule
            if rule["source_port"] == nil { rule["source_port"] = port }
            if rule["targets"] == nil && rule["service"] == nil { rule["targets"] = [web.address] }
            return ["name": "bad", "lb_config": rules([rule], config: extra)]
        }
        let cases: [(String, [String: Any], Int, [String])] = [
            ("port out of range", request(["source_port": 70000]), 7, ["port_rules[0].source_port", "70000 is not a port"]),
            ("conflicting protocols", ["name": "bad", "lb_config": rules([
                ["source_port": port, "protocol": "http", "targets": [web.address]],
                ["source_port": port, "protocol": "tcp", "targets": [web.address]],
            ])], 7, ["port_rules[1]", "already used with protocol http"]),
            ("hostname with spaces", request(["hostname": "bad host.test"]), 7, ["port_rules[0].hostname", "spaces"]),
            ("path without /", request(["path": "api"]), 7, ["port_rules[0].path", "must start with /"]),
            ("unknown service", request(["service": "nope", "target_port": 80]), 7, ["port_rules[0].service", "unknown service \"nope\"", "known: api"]),
            ("cert not PEM", request(["protocol": "https"], ["certs": [notPEM]]), 7, ["lb_config.certs[0]", notPEM, "is not a PEM certificate"]),
            ("custom config nginx rejects", request([:], ["config": "http\n    proxy_read_timeout forever;\n"]), 7,
             ["nginx rejected the config at lb_config.config line 2 (section http)", "\"proxy_read_timeout\" directive invalid value"]),
            ("custom section that does not exist", request([:], ["config": "frontend 1\n    deny all;\n"]), 7,
             ["lb_config.config section \"server 1\"", "no rule has source_port 1"]),
            ("managed directive", request([:], ["config": "global\n    pid /run/nginx.pid;\n"]), 7, ["lb_config.config line 2", "pid is set by the driver"]),
            ("sticky cookie nginx cannot read", request([:], ["stickiness_policy": ["cookie": "my-cookie"]]), 7, ["$cookie_NAME"]),
            ("no name", [:], 7, ["\"name\" of 1-63 characters"]),
        ]
        for (label, payload, code, fragments) in cases {
            let refused = try lb.refused("apply", payload, code: code)
            let text = "\(refused["msg"] ?? "") \(refused["details"] ?? "")"
            for fragment in fragments { XCTAssertTrue(text.contains(fragment), "\(label): \(text)") }
            XCTAssertTrue(text.contains("balancer"), "\(label): errors name the balancer: \(text)")
        }
        let notJSON = try lb.paddock(["plugin", "invoke", "nginx", "lb.apply", "{\"name\": ", "--format", "json"])
        XCTAssertEqual(notJSON.status, .exited(1))
        XCTAssertEqual((notJSON.json as? [String: Any])?["code"] as? Int, 6, notJSON.stdout)
        XCTAssertEqual(lb.nginxProcesses(), [], "nothing was started for refused input")
        _ = try lb.refused("status", ["name": "bad"], code: 101)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(lb.runDirectory)/bad"), "a refused first apply leaves no files")
    }

    func testServiceRulesResolveThroughMetadataAndEmptyTargetsAnswer503() throws {
        let lb = try LBNginxFixture(self)
        let api = try lb.backend("api")
        try lb.writeMetadata(["containers": [
            ["name": "shop-api-1", "ip": "127.0.0.1", "service": "api", "stack": "shop", "host": "h1"],
            ["name": "other-db-1", "ip": "127.0.0.1", "service": "db", "stack": "other", "host": "h1"],
        ]])
        let port = try LBTestClient.freePort()
        let answer = try lb.apply(["name": "svc", "lb_config": rules([
            ["source_port": port, "path": "/api", "service": "shop/api", "target_port": Int(api.port)],
            ["source_port": port, "path": "/empty", "targets": []],
        ])])
        XCTAssertTrue((answer["warnings"] as? [String] ?? []).contains { $0.contains("no targets") && $0.contains("503") }, "\(answer)")
        XCTAssertEqual(try LBTestClient.get(port, path: "/api/x").body, "api")
        XCTAssertEqual(try LBTestClient.get(port, path: "/empty").status, 503)
        let (_, status) = try lb.invoke("status", ["name": "svc"])
        let servers = status["servers"] as? [[String: Any]] ?? []
        XCTAssertEqual(servers.map { $0["server"] as? String }, ["shop-api-1"], "\(status)")

        // remove stops nginx and deletes the balancer's files.
        let pids = lb.nginxProcesses()
        XCTAssertFalse(pids.isEmpty)
        let (code, removed) = try lb.invoke("remove", ["name": "svc"])
        XCTAssertEqual(code, 0)
        XCTAssertEqual(removed["removed"] as? Bool, true)
        XCTAssertEqual(lb.nginxProcesses(), [], "remove stops the master and its workers")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(lb.runDirectory)/svc"))
        XCTAssertThrowsError(try LBTestClient.get(port), "nothing listens any more")
    }
}
