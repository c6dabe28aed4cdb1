import Foundation
import PaddockHostPorts
import PaddockPosix
import XCTest

/// Two "hosts" (network namespaces on a veth underlay, 198.18.0.1 and .2) and two "containers"
/// on a bridge in host 1 (198.18.64.2 and .3). Every name carries the test's pid-based prefix;
/// `tearDown` removes the namespaces (and with them every link, rule and conntrack entry) and kills
/// the servers, also when the test failed.
final class NamespaceLab {
    let prefix: String
    var host1: String { "\(prefix)h1" }
    var host2: String { "\(prefix)h2" }
    var container1: String { "\(prefix)c1" }
    var container2: String { "\(prefix)c2" }
    let bridge = "br0"
    let host1Address = "198.18.0.1", host2Address = "198.18.0.2"
    let container1Address = "198.18.64.2", container2Address = "198.18.64.3"
    let subnet = "198.18.64.0/24"
    private var namespaces: [String] = []
    private var servers: [Process] = []
    private var directories: [String] = []

    init(_ label: String) {
        prefix = "hp\(getpid())\(label)"
    }

    static func requireRoot() throws {
        guard getuid() == 0 else { throw XCTSkip("network namespace tests need root") }
        guard FileSystem.exists("/usr/sbin/nft") else { throw XCTSkip("nft is not installed (Debian nftables)") }
    }

    func namespacePath(_ name: String) -> String { "/run/netns/\(name)" }

    func build() throws {
        for name in [host1, host2, container1, container2] {
            try ip(["netns", "add", name])
            namespaces.append(name)
            try ip(["-n", name, "link", "set", "lo", "up"])
        }
        try ip(["link", "add", "u1", "netns", host1, "type", "veth", "peer", "name", "u2", "netns", host2])
        try ip(["-n", host1, "addr", "add", "\(host1Address)/24", "dev", "u1"])
        try ip(["-n", host2, "addr", "add", "\(host2Address)/24", "dev", "u2"])
        try ip(["-n", host1, "link", "set", "u1", "up"])
        try ip(["-n", host2, "link", "set", "u2", "up"])
        try ip(["-n", host1, "link", "add", bridge, "type", "bridge"])
        try ip(["-n", host1, "addr", "add", "198.18.64.1/24", "dev", bridge])
        try ip(["-n", host1, "link", "set", bridge, "up"])
        for (container, address, port) in [(container1, container1Address, "vc1"), (container2, container2Address, "vc2")] {
            try ip(["link", "add", "eth0", "netns", container, "type", "veth", "peer", "name", port, "netns", host1])
            try ip(["-n", host1, "link", "set", port, "master", bridge, "up"])
            // What a bridge driver does (CNI bridge's hairpinMode): with bridge netfilter on, a
            // container's own host-port traffic is sent back out of the port it came in on.
            try run("/usr/sbin/bridge", ["-n", host1, "link", "set", "dev", port, "hairpin", "on"])
            try ip(["-n", container, "addr", "add", "\(address)/24", "dev", "eth0"])
            try ip(["-n", container, "link", "set", "eth0", "up"])
            try ip(["-n", container, "route", "add", "default", "via", "198.18.64.1"])
        }
        try inside(host1, "/usr/sbin/sysctl", ["-qw", "net.ipv4.ip_forward=1"])
    }

    /// dockerd's state: FORWARD policy DROP and, where the module is loaded, bridged traffic
    /// through iptables too. Returns whether bridge netfilter is on.
    @discardableResult
    func dropForwardedTraffic() throws -> Bool {
        try inside(host1, "/usr/sbin/iptables", ["-w", "-P", "FORWARD", "DROP"])
        let bridgeNetfilter = FileSystem.exists("/proc/sys/net/bridge/bridge-nf-call-iptables")
        if bridgeNetfilter {
            try inside(host1, "/usr/sbin/sysctl", ["-qw", "net.bridge.bridge-nf-call-iptables=1"])
        }
        return bridgeNetfilter
    }

    /// busybox httpd in `namespace` serving `token` at / on `port`.
    func serve(in namespace: String, port: Int, token: String) throws {
        let directory = "/tmp/\(prefix)-www-\(namespace)-\(port)"
        try FileSystem.makeDirectories(directory)
        directories.append(directory)
        try AtomicFile.write(Array(token.utf8), to: "\(directory)/index.html")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = ["netns", "exec", namespace, "/usr/bin/busybox", "httpd", "-f", "-p", "\(port)", "-h", directory]
        try process.run()
        servers.append(process)
        for _ in 0..<50 where (try? fetch(from: namespace, "http://127.0.0.1:\(port)/", timeout: 1)) != token {
            usleep(100_000)
        }
    }

    /// The body at `url` fetched from inside `namespace`, or nil when it cannot be reached.
    func fetch(from namespace: String, _ url: String, timeout: Int = 3) throws -> String? {
        let outcome = try ChildProcess.run("/usr/sbin/ip", arguments: ["netns", "exec", namespace, "/usr/bin/curl", "-s",
                                                                        "--max-time", "\(timeout)", url], timeoutSeconds: Double(timeout + 10))
        guard outcome.termination == .exited(0) else { return nil }
        return String(decoding: outcome.stdout, as: UTF8.self)
    }

    func ip(_ arguments: [String]) throws { try run("/usr/sbin/ip", arguments) }

    @discardableResult
    func inside(_ namespace: String, _ tool: String, _ arguments: [String], stdin: String = "") throws -> String {
        try run("/usr/sbin/ip", ["netns", "exec", namespace, tool] + arguments, stdin: stdin)
    }

    @discardableResult
    func run(_ tool: String, _ arguments: [String], stdin: String = "") throws -> String {
        let outcome = try ChildProcess.run(tool, arguments: arguments, stdin: Array(stdin.utf8), timeoutSeconds: 60)
        guard outcome.termination == .exited(0) else {
            throw LabError("\(tool) \(arguments.joined(separator: " ")): \(outcome.termination) \(String(decoding: outcome.stderr, as: UTF8.self))")
        }
        return String(decoding: outcome.stdout, as: UTF8.self)
    }

    func tearDown() {
        for server in servers where server.isRunning {
            server.terminate()
            server.waitUntilExit()
        }
        servers = []
        for name in namespaces.reversed() {
            _ = try? ChildProcess.run("/usr/sbin/ip", arguments: ["netns", "del", name], timeoutSeconds: 30)
        }
        namespaces = []
        for directory in directories {
            _ = try? ChildProcess.run("/bin/rm", arguments: ["-rf", directory], timeoutSeconds: 30)
        }
        directories = []
    }
}

struct LabError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A record store in memory, through the same key-value adapter a driver uses over its kv_* services.
final class MemoryKeyValue: @unchecked Sendable {
    private var values: [String: [UInt8]] = [:]
    private let lock = NSLock()

    func recordStore() -> KeyValueRecordStore {
        KeyValueRecordStore(keys: { self.keys($0) }, get: { self.get($0) }, put: { self.put($0, $1) }, delete: { self.delete($0) })
    }

    func keys(_ prefix: String) -> [String] { lock.withLock { values.keys.filter { $0.hasPrefix(prefix) }.sorted() } }
    func get(_ key: String) -> [UInt8]? { lock.withLock { values[key] } }
    func put(_ key: String, _ value: [UInt8]) { lock.withLock { values[key] = value } }
    func delete(_ key: String) { lock.withLock { values[key] = nil } }
}
