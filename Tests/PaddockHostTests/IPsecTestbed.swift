import Foundation
import Glibc
import PaddockCore
import PaddockHost
import PaddockPosix
import PluginABI
import XCTest

/// Hosts as network namespaces on an underlay bridge (itself in a namespace of its own), each with
/// its own paddock state dir and an in-process ipsec driver instance; containers as namespaces
/// attached through the driver. Every name starts with a prefix holding the pid and a counter, and
/// `tearDown` removes processes, namespaces and files also when the test failed.
final class IPsecTestbed {
    struct Host {
        var name: String
        var namespace: String
        var address: String
        var stateDirectory: String
        var instance: PluginInstance
    }

    static let ip = "/usr/sbin/ip"
    nonisolated(unsafe) static var counter = 0

    let prefix: String
    let underlay: String
    let temp: TemporaryDirectory
    let plugin: NegotiatedPlugin
    let config: [String: JSONValue]
    private(set) var hosts: [Host] = []
    private(set) var containers: [String: (host: Int, namespace: String, address: String)] = [:]
    private var namespaces: [String] = []

    init(hostCount: Int, config: [String: JSONValue], temp: TemporaryDirectory) throws {
        Self.counter += 1
        prefix = "pis\(getpid())x\(Self.counter)"
        underlay = "\(prefix)u"
        self.temp = temp
        self.config = config
        plugin = try PluginImageLoader.load(path: try Harness.swiftPlugin("IPsec"))
        try Self.check(["netns", "add", underlay])
        namespaces.append(underlay)
        try Self.check(["-n", underlay, "link", "add", "br0", "type", "bridge"])
        try Self.check(["-n", underlay, "link", "set", "br0", "up"])
        for index in 1...hostCount {
            let namespace = "\(prefix)h\(index)"
            try Self.check(["netns", "add", namespace])
            namespaces.append(namespace)
            let address = "198.18.0.\(index)"
            try Self.check(["-n", underlay, "link", "add", "h\(index)", "type", "veth", "peer", "name", "eth0", "netns", namespace])
            try Self.check(["-n", underlay, "link", "set", "h\(index)", "master", "br0", "up"])
            try Self.check(["-n", namespace, "addr", "add", "\(address)/24", "dev", "eth0"])
            try Self.check(["-n", namespace, "link", "set", "eth0", "up"])
            try Self.check(["-n", namespace, "link", "set", "lo", "up"])
            let state = try temp.subdirectory("h\(index)")
            hosts.append(Host(name: "h\(index)", namespace: namespace, address: address, stateDirectory: state,
                              instance: try Self.instance(plugin, state: state, config: hostConfig(namespace))))
        }
        try publish(hosts.map(\.name))
    }

    func hostConfig(_ namespace: String) -> JSONValue {
        var merged = config
        merged["netns"] = .string(namespace)
        return .object(merged)
    }

    static func instance(_ plugin: NegotiatedPlugin, state: String, config: JSONValue) throws -> PluginInstance {
        let services = HostServices(pluginName: plugin.name, stateDirectory: state, logger: Logger(level: .warning),
                                    isOrchestrator: false, router: nil)
        return try PluginInstance(plugin: plugin, config: config, services: services)
    }

    /// Writes every host's metadata file: itself as `self`, `members` (host names) as the hosts,
    /// plus any extra raw records (malformed peers for the bad-input test).
    func publish(_ members: [String], extra: [JSONValue] = [], environment: JSONValue? = nil) throws {
        let records: [JSONValue] = hosts.filter { members.contains($0.name) }.map {
            .object(["name": .string($0.name), "agent_ip": .string($0.address), "labels": .object([:])])
        } + extra
        for host in hosts {
            var members: [String: JSONValue] = ["self": .string(host.name), "hosts": .array(records)]
            if let environment { members["environment"] = environment }
            let document: JSONValue = .object(members)
            try Data(document.serialized(pretty: true).utf8).write(to: URL(fileURLWithPath: "\(host.stateDirectory)/metadata.json"))
        }
    }

    /// Creates a container namespace and attaches it through the host's driver (network add).
    @discardableResult
    func addContainer(_ name: String, on index: Int, ports: [String] = []) throws -> String {
        let namespace = "\(prefix)\(name)"
        try Self.check(["netns", "add", namespace])
        namespaces.append(namespace)
        let result = hosts[index].instance.call(.network, "add", .object([
            "command": "ADD", "containerId": .string(name), "netns": .string("/run/netns/\(namespace)"), "ifName": "eth0",
            "config": .object(["cniVersion": "1.1.0", "name": "ipsec-test", "type": "paddock"]),
            "ports": .array(ports.map { .string($0) }),
        ]))
        guard result.isSuccess, let cidr = result.body["ips"]?[0]?["address"]?.stringValue else {
            throw HarnessError("network add of \(name) on \(hosts[index].name) failed: \(result.errorMessage)")
        }
        let address = String(cidr.split(separator: "/")[0])
        containers[name] = (index, namespace, address)
        return address
    }

    func removeContainer(_ name: String) -> CallResult {
        let index = containers[name]?.host ?? 0
        return hosts[index].instance.call(.network, "del", .object(["command": "DEL", "containerId": .string(name), "ifName": "eth0"]))
    }

    /// What `notify` answered.
    struct Answer {
        var status: Int32
        var body: JSONValue
        var isSuccess: Bool { status == 0 }
        var errorMessage: String { "\(body["msg"]?.stringValue ?? "") (\(body["details"]?.stringValue ?? ""))" }
    }

    /// The driver's `notify` entry, as `paddock agent` calls it.
    func notify(_ index: Int) -> Answer {
        let instance = hosts[index].instance
        let table = instance.plugin.table.pointee
        let request = Array(#"{"type":"metadata.changed"}"#.utf8)
        let outcome: Answer? = instance.withRawInstance { raw in
            var response = paddock_buffer()
            let status = request.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { table.notify!(raw, $0.baseAddress, $0.count, &response) }
            }
            var bytes: [UInt8] = []
            if let data = response.data {
                bytes = Array(UnsafeRawBufferPointer(start: data, count: response.len))
                table.free_buffer?(data, response.len)
            }
            let body = (try? JSONValue(parsing: bytes)) ?? .object([:])
            return Answer(status: status, body: body)
        }
        return outcome ?? Answer(status: PADDOCK_E_UNAVAILABLE, body: .object([:]))
    }

    func status(_ index: Int) -> CallResult { hosts[index].instance.call(.network, "status", .object([:])) }

    func charonPID(_ index: Int) -> pid_t? {
        let text = (try? String(contentsOfFile: "\(hosts[index].stateDirectory)/plugins/ipsec/charon.pid", encoding: .utf8)) ?? ""
        return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Waits until every host's status shows all its tunnels up (or the time runs out).
    @discardableResult
    func waitForTunnels(expected: [Int: Int], timeoutSeconds: Double = 45) -> Bool {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            let ready = expected.allSatisfy { index, count in
                let tunnels = status(index).body["tunnels"]?.objectValue ?? [:]
                return tunnels.values.filter { $0["up"]?.boolValue == true }.count >= count
            }
            if ready { return true }
            usleep(250_000)
        }
        return false
    }

    /// One ping from a container to an address, with a few tries (the first packets of a fresh
    /// tunnel may race the CHILD SA's installation on the far side).
    func ping(from container: String, to address: String, tries: Int = 4) -> Bool {
        guard let namespace = containers[container]?.namespace else { return false }
        for _ in 0..<tries {
            if let outcome = try? ChildProcess.run(Self.ip, arguments: ["netns", "exec", namespace, "/usr/bin/busybox", "ping", "-c", "1", "-W", "2", address], timeoutSeconds: 10),
               outcome.termination == .exited(0) { return true }
        }
        return false
    }

    func run(in namespace: String, _ arguments: [String], timeout: Double = 30) throws -> ChildProcess.Outcome {
        try ChildProcess.run(Self.ip, arguments: ["netns", "exec", namespace] + arguments, timeoutSeconds: timeout)
    }

    @discardableResult
    static func check(_ arguments: [String]) throws -> String {
        let outcome = try ChildProcess.run(ip, arguments: arguments, timeoutSeconds: 30)
        guard outcome.termination == .exited(0) else {
            throw HarnessError("ip \(arguments.joined(separator: " ")) failed: \(String(decoding: outcome.stderr, as: UTF8.self))")
        }
        return String(decoding: outcome.stdout, as: UTF8.self)
    }

    /// Kills every process in the testbed's namespaces (charons included), then removes them.
    func tearDown() {
        for host in hosts { host.instance.destroy() }
        for namespace in namespaces.reversed() {
            let pids = (try? ChildProcess.run(Self.ip, arguments: ["netns", "pids", namespace], timeoutSeconds: 10))
                .map { String(decoding: $0.stdout, as: UTF8.self) } ?? ""
            for pid in pids.split(separator: "\n").compactMap({ pid_t($0) }) {
                kill(pid, SIGKILL)
                var status: Int32 = 0
                _ = waitpid(pid, &status, 0)
            }
        }
        for namespace in namespaces.reversed() {
            _ = try? ChildProcess.run(Self.ip, arguments: ["netns", "del", namespace], timeoutSeconds: 10)
        }
        namespaces = []
    }

    static func skipUnlessAvailable() throws {
        guard getuid() == 0 else { throw XCTSkip("network namespaces need root") }
        for tool in ["/usr/lib/ipsec/charon", "/usr/sbin/swanctl", "/usr/bin/busybox", "/usr/bin/tcpdump", "/usr/bin/curl", "/usr/sbin/nft"] where access(tool, X_OK) != 0 {
            throw XCTSkip("\(tool) is not installed (strongswan-charon, strongswan-swanctl, busybox-static, tcpdump, curl, nftables)")
        }
        guard access("/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so", F_OK) == 0 else {
            throw XCTSkip("strongSwan's kernel-libipsec plugin is missing (libcharon-extra-plugins)")
        }
    }
}
