import Foundation
import PaddockPosix
import XCTest

/// The installed `paddock` CNI binary in front of the VXLAN driver (links, leases, VTEP), exec'd
/// inside a host namespace of the network testbed exactly as a runtime on that host would.
final class CNIVXLANTests: XCTestCase {
    struct Lab {
        let testbed: NetTestbed
        let cniDirectory: String
        var host: NetTestbed.Host { testbed.hosts["h1"]! }
    }

    static let network = "pdcni"

    /// Two hosts with the vxlan driver enabled; the CNI binary installed for h1.
    func makeLab(_ tag: String) throws -> Lab {
        _ = try Harness.swiftPlugin("VXLAN")
        let testbed = try NetTestbed(self, tag: tag)
        for name in ["h1", "h2"] { try testbed.addHost(name) }
        try testbed.writeMetadata(on: ["h1", "h2"], records: testbed.records())
        for name in ["h1", "h2"] { try testbed.enable("VXLAN", as: "vxlan", on: name, config: ["subnet": "198.19.0.0/16"]) }
        let directory = "\(testbed.directory.path)/cni-bin"
        let install = try testbed.paddock(on: "h1", ["cni", "install", "--dir", directory])
        guard install.status == .exited(0) else { throw HarnessError("cni install: \(install.stderr)") }
        return Lab(testbed: testbed, cniDirectory: directory)
    }

    static func entry(version: String = "1.0.0", extra: String = "") -> String {
        #"{"cniVersion":"\#(version)","name":"\#(network)","type":"paddock","driver":"vxlan","subnet":"198.19.0.0/16"\#(extra)}"#
    }

    /// The binary run inside h1's namespace with the CNI variables and `config` on stdin.
    func exec(_ lab: Lab, _ command: String, container: NetTestbed.Container?, id: String? = nil, ifname: String = "eth0",
              config: String) throws -> CNITestbed.Outcome {
        var environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "CNI_COMMAND": command, "CNI_PATH": lab.cniDirectory,
                           "CNI_IFNAME": ifname]
        if let container {
            environment["CNI_CONTAINERID"] = id ?? container.name
            environment["CNI_NETNS"] = container.netnsPath
        } else if let id {
            environment["CNI_CONTAINERID"] = id
        }
        let run = try ChildProcess.run("/usr/bin/ip", arguments: ["netns", "exec", lab.host.namespace, "\(lab.cniDirectory)/paddock"],
                                       environment: environment, stdin: Array(config.utf8), timeoutSeconds: 60)
        return CNITestbed.Outcome(status: run.termination, stdout: String(decoding: run.stdout, as: UTF8.self),
                                  stderr: String(decoding: run.stderr, as: UTF8.self))
    }

    /// Host-side veth ends in h1 (the driver's, named veth + 8 hex digits).
    func hostVeths(_ lab: Lab) throws -> Set<String> {
        Set(try lab.testbed.json(lab.host.namespace, ["link", "show", "type", "veth"])
            .compactMap { $0["ifname"] as? String }.filter { $0.hasPrefix("veth") })
    }

    /// The driver's lease table for the network, from its key-value store file.
    func leases(_ lab: Lab) throws -> [String: String] {
        let file = "\(lab.host.stateDir)/kv/vxlan.json"
        guard let data = FileManager.default.contents(atPath: file),
              let document = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let entries = document["entries"] as? [String: Any], let raw = entries["ipam/\(Self.network)"] else { return [:] }
        // The store keeps UTF-8 values as {"text": …}; the table is {"<ip>": "<containerId>/<ifName>"}.
        let text = ((raw as? [String: Any])?["text"] as? String) ?? ""
        return ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: String]) ?? [:]
    }

    /// DNAT rules in the driver's nftables table (0 when the table is absent).
    func dnatRules(_ lab: Lab) throws -> Int {
        let run = try lab.testbed.run(in: lab.host.namespace, ["nft", "list", "table", "ip", "paddock_vxlan"], check: false)
        return run.stdout.components(separatedBy: "dnat to").count - 1
    }

    /// Every key in the driver's key-value store.
    func storeKeys(_ lab: Lab) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: "\(lab.host.stateDir)/kv/vxlan.json"),
              let document = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let entries = document["entries"] as? [String: Any] else { return [] }
        return entries.keys.sorted()
    }

    /// Whether a link exists in a namespace.
    func linkExists(_ lab: Lab, _ namespace: String, _ name: String) throws -> Bool {
        try lab.testbed.run(["ip", "-n", namespace, "link", "show", name], check: false).status == .exited(0)
    }

    func testAddCreatesTheInterfaceCheckAndDelFollowTheSpec() throws {
        let lab = try makeLab("ca")
        let container = try lab.testbed.addContainer("c1", on: "h1")
        let add = try exec(lab, "ADD", container: container, config: Self.entry())
        XCTAssertEqual(add.status, .exited(0), add.stdout + add.stderr)
        let interfaces = try XCTUnwrap(add.json?["interfaces"] as? [[String: Any]], add.stdout)
        XCTAssertEqual(interfaces.last?["name"] as? String, "eth0")
        XCTAssertEqual(interfaces.last?["sandbox"] as? String, container.netnsPath)
        XCTAssertNil(interfaces.last?["mtu"], "mtu is not a CNI 1.0.0 member")
        let address = try XCTUnwrap((add.json?["ips"] as? [[String: Any]])?.first?["address"] as? String)
        let inside = try lab.testbed.json(container.namespace, ["-4", "addr", "show", "eth0"])
        let addressInside = ((inside.first?["addr_info"] as? [[String: Any]])?.first).map { "\($0["local"]!)/\($0["prefixlen"]!)" }
        XCTAssertEqual(addressInside, address, "the container's eth0 carries the result's address")
        XCTAssertEqual(try hostVeths(lab).count, 1)

        // ADD of an interface that exists fails and leaves the first attachment alone.
        let again = try exec(lab, "ADD", container: container, id: "other", config: Self.entry())
        XCTAssertEqual(again.status, .exited(1))
        XCTAssertEqual(again.code, 102, again.stdout)
        XCTAssertEqual(try hostVeths(lab).count, 1)

        let previous = Self.entry(extra: #","prevResult":\#(add.stdout.trimmingCharacters(in: .whitespacesAndNewlines))"#)
        let check = try exec(lab, "CHECK", container: container, config: previous)
        XCTAssertEqual(check.status, .exited(0), check.stdout + check.stderr)

        let del = try exec(lab, "DEL", container: container, config: previous)
        XCTAssertEqual(del.status, .exited(0), del.stdout + del.stderr)
        XCTAssertEqual(try hostVeths(lab), [])
        XCTAssertFalse(try linkExists(lab, container.namespace, "eth0"), "eth0 is gone")
        XCTAssertEqual(try leases(lab), [:])
        let repeated = try exec(lab, "DEL", container: container, config: Self.entry())
        XCTAssertEqual(repeated.status, .exited(0), repeated.stdout + repeated.stderr)
        let checkGone = try exec(lab, "CHECK", container: container, config: previous)
        XCTAssertEqual(checkGone.status, .exited(1), "CHECK errors on missing resources")
    }

    func testDelAfterTheNamespaceWasDeletedReleasesEverything() throws {
        let lab = try makeLab("cb")
        let container = try lab.testbed.addContainer("c1", on: "h1")
        let add = try exec(lab, "ADD", container: container, config: Self.entry())
        XCTAssertEqual(add.status, .exited(0), add.stdout + add.stderr)
        XCTAssertEqual(try leases(lab).count, 1)
        lab.testbed.removeNamespace(of: container)
        let del = try exec(lab, "DEL", container: container, config: Self.entry())
        XCTAssertEqual(del.status, .exited(0), del.stdout + del.stderr)
        XCTAssertEqual(try hostVeths(lab), [])
        XCTAssertEqual(try leases(lab), [:])
    }

    func testFiftyParallelAddsThenDelsLeakNothing() throws {
        try fiftyParallelAddsThenDels(try makeLab("cc"))
    }

    /// The same through `paddock cni serve`: one process, 50 concurrent connections, one driver
    /// instance called from many threads.
    func testFiftyParallelAddsThenDelsThroughTheServerLeakNothing() throws {
        let lab = try makeLab("cs")
        let log = "\(lab.testbed.directory.path)/serve.log"
        try lab.testbed.start(in: lab.host.namespace, [Harness.paddock, "cni", "serve", "--state-dir", lab.host.stateDir,
                                                       "--plugin-path", lab.host.pluginDir, "--config-dir", lab.host.configDir], output: log)
        for _ in 0..<500 where !FileSystem.exists("\(lab.host.stateDir)/cni.sock") { usleep(10_000) }
        try fiftyParallelAddsThenDels(lab)
        let lines = try String(contentsOfFile: log, encoding: .utf8)
        XCTAssertEqual(lines.components(separatedBy: "exit 0").count - 1, 100, "the server answered all 100 invocations: \(lines)")
    }

    func fiftyParallelAddsThenDels(_ lab: Lab) throws {
        let count = 50
        var containers: [NetTestbed.Container] = []
        for index in 0..<count { containers.append(try lab.testbed.addContainer("p\(index)", on: "h1")) }
        let outputs = try lab.testbed.directory.subdirectory("out")
        // Each container publishes a host port of its own, so "nothing leaked" covers nft rules too.
        for index in 0..<count {
            let ports = #","runtimeConfig":{"portMappings":[{"hostPort":\#(20000 + index),"containerPort":80,"protocol":"tcp"}]}"#
            try Data(Self.entry(extra: ports).utf8).write(to: URL(fileURLWithPath: "\(outputs)/entry-\(index).json"))
        }
        let parallel = ParallelCNI(binary: "\(lab.cniDirectory)/paddock", cniPath: lab.cniDirectory, outputs: outputs,
                                   hostNamespace: lab.host.namespace)
        let invocations = containers.enumerated().map {
            ParallelCNI.Invocation(containerID: $1.name, netns: $1.netnsPath, configFile: "\(outputs)/entry-\($0).json")
        }
        let addresses = ParallelCNI.addresses(try parallel.run("ADD", invocations))
        XCTAssertEqual(addresses.count, count)
        XCTAssertEqual(Set(addresses).count, count, "duplicate addresses: \(addresses.sorted())")
        XCTAssertEqual(try hostVeths(lab).count, count)
        XCTAssertEqual(try leases(lab).count, count)
        XCTAssertEqual(try dnatRules(lab), count, "one DNAT rule per published port")
        // Every container can reach the bridge's gateway through its own interface.
        XCTAssertTrue(try lab.testbed.ping(from: containers[0], "198.19.11.1"))
        XCTAssertTrue(try lab.testbed.ping(from: containers[count - 1], "198.19.11.1"))

        try parallel.run("DEL", invocations)
        XCTAssertEqual(try hostVeths(lab), [], "no host-side veth leaked")
        XCTAssertEqual(try leases(lab), [:], "no lease leaked")
        XCTAssertEqual(try dnatRules(lab), 0, "no DNAT rule leaked")
        XCTAssertEqual(try storeKeys(lab).filter { $0.hasPrefix("hostports/") }, [], "no host-port record leaked")
        for container in containers.prefix(5) {
            XCTAssertFalse(try linkExists(lab, container.namespace, "eth0"))
        }
        let rules = try lab.testbed.run(in: lab.host.namespace, ["nft", "list", "ruleset"]).stdout
        // Host NAT rules name the environment's subnet; no rule may name one of the containers.
        for address in addresses {
            let ip = String(address.split(separator: "/")[0])
            XCTAssertNil(rules.range(of: NSRegularExpression.escapedPattern(for: ip) + "(?![0-9])", options: .regularExpression),
                         "an nft rule still names the deleted container \(ip): \(rules)")
        }
    }
}
