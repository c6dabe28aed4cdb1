import LBHaproxyCore
@testable import PaddockLBModel
import XCTest

/// The haproxy driver's pure parts: rendering rancher's model to HAProxy config, and mapping
/// `show stat` to the states rancher's healthcheck reports.
final class HAProxyRenderingTests: XCTestCase {
    let paths = HAProxyConfig.Paths(adminSocket: "/run/lb/admin.sock", serverState: "/run/lb/state", certDirectory: "/run/lb/certs")

    func config(_ rules: [PortRule], custom: String = "", health: HealthCheck? = nil, sticky: Bool = false) -> HAProxyConfig {
        HAProxyConfig(config: LBConfig(name: "t", portRules: rules, stickiness: sticky
                          ? Stickiness(cookie: "SRV", mode: "insert", indirect: true, nocache: false, postonly: false, domain: nil) : nil,
                          customConfig: custom, healthCheck: health),
                      bindAddress: "127.0.0.1", paths: paths)
    }

    func testRulesBecomeACLsInRancherOrderWithADefaultBackend() throws {
        let one = Target(address: "198.18.0.2", port: 80)
        let text = try config([
            PortRule(sourcePort: 80, proto: .http, targets: [one]),
            PortRule(sourcePort: 80, proto: .http, path: "/api", targets: [one]),
            PortRule(sourcePort: 80, proto: .http, hostname: "*.example.org", path: "/v1", targets: [one]),
            PortRule(sourcePort: 80, proto: .http, hostname: "www.*", priority: -5, targets: [one]),
        ]).render()
        let uses = text.split(separator: "\n").filter { $0.contains("use_backend") }.map { String($0).trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(uses, [
            "use_backend 80_www___ if host_0",             // priority first
            "use_backend 80___example_org__v1 if host_1 path_1",  // then host+path
            "use_backend 80___api if path_2",              // then path
        ])
        XCTAssertTrue(text.contains("    acl host_0 hdr(host),field(1,:) -i -m beg www."), text)
        XCTAssertTrue(text.contains("    acl host_1 hdr(host),field(1,:) -i -m end .example.org"), text)
        XCTAssertTrue(text.contains("    default_backend 80__"), text)
        XCTAssertTrue(text.contains("stats socket /run/lb/admin.sock mode 600 level admin expose-fd listeners"))
    }

    func testTheSkeletonDiffersOnlyInServerLines() throws {
        let a = try config([PortRule(sourcePort: 80, proto: .http, targets: [Target(address: "198.18.0.2", port: 80)])]).renderBoth()
        let b = try config([PortRule(sourcePort: 80, proto: .http, targets: [Target(address: "198.18.0.3", port: 81)])]).renderBoth()
        XCTAssertNotEqual(a.text, b.text)
        XCTAssertEqual(a.skeleton, b.skeleton)
        XCTAssertFalse(a.skeleton.contains("server s_"))
    }

    func testHealthChecksAndStickinessAreSpelledOutOnEveryServer() throws {
        let rendered = config([PortRule(sourcePort: 80, proto: .http, targets: [Target(address: "198.18.0.2", port: 80)])],
                              health: HealthCheck(port: 8080, interval: 500, healthyThreshold: 2, unhealthyThreshold: 4,
                                                  responseTimeout: 300, requestLine: "GET /healthz HTTP/1.0"), sticky: true)
        let text = try rendered.render()
        XCTAssertTrue(text.contains("    server s_198_18_0_2_80 198.18.0.2:80 check inter 500 rise 2 fall 4 port 8080 cookie s_198_18_0_2_80"), text)
        XCTAssertTrue(text.contains("    option httpchk GET /healthz HTTP/1.0"))
        XCTAssertTrue(text.contains("    cookie SRV insert indirect"))
        XCTAssertTrue(text.contains("    timeout check 300"))
    }

    func testCustomConfigIsMergedPerSectionAndUnknownSectionsAppended() throws {
        let text = try config([PortRule(sourcePort: 8080, proto: .tcp, targets: [])], custom: """
            global
              tune.bufsize 32768
            frontend 8080
              timeout client 1s
            listen stats
              bind 127.0.0.1:9000
            """).render()
        let lines = text.split(separator: "\n").map(String.init)
        let global = lines.firstIndex(of: "global")!, defaults = lines.firstIndex(of: "defaults")!
        XCTAssertTrue(lines[global..<defaults].contains("    tune.bufsize 32768"))
        let frontend = lines.firstIndex(of: "frontend 8080")!
        XCTAssertTrue(lines[frontend...].prefix(8).contains("    timeout client 1s"), text)
        XCTAssertTrue(text.hasSuffix("listen stats\n    bind 127.0.0.1:9000\n"), text)
        XCTAssertThrowsError(try config([PortRule(sourcePort: 80, proto: .http, targets: [])], custom: "  orphan line\n").render())
    }

    func testUDPIsRefusedNamingThePort() {
        XCTAssertThrowsError(try config([PortRule(sourcePort: 53, proto: .udp, targets: [])]).render()) { error in
            XCTAssertTrue("\(error)".contains("port 53: udp is not supported"), "\(error)")
        }
    }

    func testHealthStatesFollowRancherAndNeverFlapOnPartialStates() {
        let cases: [(String, String, String?, String)] = [
            ("UP", "L7OK", nil, "UP"),
            ("UP", "", nil, "INIT"),              // no check result yet
            ("UP 1/3", "L7STS", "UP", "UP"),      // going down: still reported UP
            ("DOWN", "L4CON", "UP", "DOWN"),
            ("DOWN 1/2", "L7OK", "DOWN", "DOWN"), // coming back: still DOWN
            ("UP", "L7OK", "DOWN", "INIT"),       // back: INIT first
            ("UP", "L7OK", "INIT", "UP"),         // then UP
            ("MAINT", "", "UP", "MAINT"),
            ("MAINT (via b/s)", "", "UP", "MAINT"),
            ("DRAIN", "L7OK", "UP", "MAINT"),
            ("no check", "", nil, "INIT"),
            ("no check", "", "INIT", "UP"),
        ]
        for (status, check, previous, expected) in cases {
            XCTAssertEqual(HealthTracker.report(status: status, checkStatus: check, previous: previous), expected,
                           "\(status) / \(check) after \(previous ?? "nothing")")
        }
    }

    func testShowStatCSVYieldsServersOnly() {
        let csv = """
            # pxname,svname,qcur,status,check_status,check_code,check_duration,addr,lastchg,type,
            80,FRONTEND,0,OPEN,,,,,,0,
            80__,s_1,0,UP,L7OK,200,1,198.18.0.2:80,12,2,
            80__,BACKEND,0,UP,,,,,12,1,
            """
        let stats = ServerStat.parse(csv)
        XCTAssertEqual(stats.count, 1)
        XCTAssertEqual(stats.first?.backend, "80__")
        XCTAssertEqual(stats.first?.server, "s_1")
        XCTAssertEqual(stats.first?.checkCode, "200")
        XCTAssertEqual(stats.first?.address, "198.18.0.2:80")
        XCTAssertEqual(ServerStat.parse("garbage"), [])
    }
}
