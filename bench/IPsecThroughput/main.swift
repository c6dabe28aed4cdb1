// iperf3 TCP throughput container↔container across two hosts over the ipsec driver's tunnel,
// against host↔host over the underlay and over a bare VXLAN device, all in the same run.
// Hosts and containers are network namespaces (underlay 198.18.0.0/24, VXLAN 198.18.1.0/24,
// containers 198.19.0.0/16), removed at the end.
// Usage: paddock-bench-ipsec LIBIPSEC.so [SECONDS]
import Foundation
import Glibc
import PaddockCore
import PaddockHost
import PaddockPosix

let ip = "/usr/sbin/ip"
let prefix = "pib\(getpid())"
nonisolated(unsafe) var namespaces: [String] = []

@discardableResult
func sh(_ arguments: [String], timeout: Double = 60) throws -> String {
    let outcome = try ChildProcess.run(ip, arguments: arguments, timeoutSeconds: timeout)
    guard outcome.termination == .exited(0) else {
        throw HostError(.io, "ip \(arguments.joined(separator: " ")) failed: \(String(decoding: outcome.stderr, as: UTF8.self))")
    }
    return String(decoding: outcome.stdout, as: UTF8.self)
}

func addNamespace(_ name: String) throws {
    try sh(["netns", "add", name])
    namespaces.append(name)
}

func cleanUp() {
    for namespace in namespaces.reversed() {
        let pids = (try? sh(["netns", "pids", namespace])) ?? ""
        for pid in pids.split(separator: "\n").compactMap({ pid_t($0) }) {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }
    }
    for namespace in namespaces.reversed() { _ = try? sh(["netns", "del", namespace]) }
}

/// One iperf3 TCP run: server in `serverNS` (one client, then exits), client in `clientNS`.
func iperf(server serverNS: String, address: String, client clientNS: String, seconds: Int) throws -> Double {
    let server = Process()
    server.executableURL = URL(fileURLWithPath: ip)
    server.arguments = ["netns", "exec", serverNS, "/usr/bin/iperf3", "-s", "-1", "-B", address, "-p", "5201"]
    server.standardOutput = FileHandle.nullDevice
    server.standardError = FileHandle.nullDevice
    try server.run()
    defer { if server.isRunning { server.terminate() }; server.waitUntilExit() }
    usleep(500_000)
    let outcome = try ChildProcess.run(ip, arguments: ["netns", "exec", clientNS, "/usr/bin/iperf3", "-c", address, "-p", "5201",
                                                       "-t", "\(seconds)", "-J"], timeoutSeconds: Double(seconds) + 30)
    let report = try JSONValue(parsing: outcome.stdout)
    guard let bits = report["end"]?["sum_received"]?["bits_per_second"]?.doubleValue else {
        throw HostError(.io, "iperf3 to \(address) gave no result: \(report["error"]?.stringValue ?? String(decoding: outcome.stderr, as: UTF8.self))")
    }
    return bits
}

func run() throws {
    let arguments = CommandLine.arguments
    guard arguments.count >= 2 else {
        FileHandle.standardError.write(Data("usage: paddock-bench-ipsec LIBIPSEC.so [SECONDS]\n".utf8))
        exit(2)
    }
    let seconds = arguments.count > 2 ? Int(arguments[2]) ?? 10 : 10
    let work = NSTemporaryDirectory() + "paddock-bench-ipsec-\(getpid())"
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: work) }

    // Underlay: a bridge in a namespace of its own, two hosts on it.
    let underlay = "\(prefix)u"
    try addNamespace(underlay)
    try sh(["-n", underlay, "link", "add", "br0", "type", "bridge"])
    try sh(["-n", underlay, "link", "set", "br0", "up"])
    let plugin = try PluginImageLoader.load(path: arguments[1])
    var instances: [PluginInstance] = []
    let hosts = [1, 2].map { "\(prefix)h\($0)" }
    let records: JSONValue = .array([1, 2].map { .object(["name": .string("h\($0)"), "agent_ip": .string("198.18.0.\($0)")]) })
    for (offset, host) in hosts.enumerated() {
        let index = offset + 1
        try addNamespace(host)
        try sh(["-n", underlay, "link", "add", "h\(index)", "type", "veth", "peer", "name", "eth0", "netns", host])
        try sh(["-n", underlay, "link", "set", "h\(index)", "master", "br0", "up"])
        try sh(["-n", host, "addr", "add", "198.18.0.\(index)/24", "dev", "eth0"])
        try sh(["-n", host, "link", "set", "eth0", "up"])
        try sh(["-n", host, "link", "set", "lo", "up"])
        // The bare VXLAN baseline between the two hosts.
        try sh(["-n", host, "link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789", "local", "198.18.0.\(index)", "dev", "eth0", "nolearning"])
        try sh(["-n", host, "link", "set", "vx0", "up"])
        try sh(["-n", host, "addr", "add", "198.18.1.\(index)/24", "dev", "vx0"])
        let state = "\(work)/h\(index)"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let metadata: JSONValue = .object(["self": .string("h\(index)"), "hosts": records])
        try Data(metadata.serialized().utf8).write(to: URL(fileURLWithPath: "\(state)/metadata.json"))
        let services = HostServices(pluginName: "ipsec", stateDirectory: state, logger: Logger(level: .warning), isOrchestrator: false, router: nil)
        instances.append(try PluginInstance(plugin: plugin, config: .object([
            "psk": "paddock-benchmark-pre-shared-key", "subnet": "198.19.0.0/16", "netns": .string(host)]), services: services))
    }
    for (offset, host) in hosts.enumerated() {
        let peer = offset == 0 ? "198.18.0.2" : "198.18.0.1"
        let outcome = try ChildProcess.run("/usr/sbin/bridge", arguments: ["-n", host, "fdb", "append", "00:00:00:00:00:00", "dev", "vx0", "dst", peer], timeoutSeconds: 10)
        guard outcome.termination == .exited(0) else { throw HostError(.io, "bridge fdb append in \(host) failed") }
    }
    // One container per host through the driver.
    var containers: [String] = []
    for (offset, instance) in instances.enumerated() {
        let namespace = "\(prefix)c\(offset + 1)"
        try addNamespace(namespace)
        let result = instance.call(.network, "add", .object([
            "containerId": .string("bench\(offset + 1)"), "netns": .string("/run/netns/\(namespace)"), "ifName": "eth0"]))
        guard result.isSuccess else { throw HostError(.io, "network add failed: \(result.errorMessage)") }
        containers.append(namespace)
    }
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline {
        let up = instances.allSatisfy { ($0.call(.network, "status", .object([:])).body["tunnels"]?.objectValue ?? [:]).values.contains { $0["up"]?.boolValue == true } }
        if up { break }
        usleep(250_000)
    }
    let status = instances[0].call(.network, "status", .object([:])).body
    print("data path: \(status["data_path_description"]?.stringValue ?? "?") (\(status["data_path_reason"]?.stringValue ?? ""))")
    print("iperf3 TCP, \(seconds) s each, one stream")

    let underlayBits = try iperf(server: hosts[1], address: "198.18.0.2", client: hosts[0], seconds: seconds)
    let vxlanBits = try iperf(server: hosts[1], address: "198.18.1.2", client: hosts[0], seconds: seconds)
    let ipsecBits = try iperf(server: containers[1], address: "198.19.2.2", client: containers[0], seconds: seconds)
    func row(_ label: String, _ bits: Double) {
        print(label.padding(toLength: 52, withPad: " ", startingAt: 0)
              + String(format: "%9.0f Mbit/s   %6.1f%% of underlay   %6.1f%% of bare VXLAN", bits / 1e6, bits / underlayBits * 100, bits / vxlanBits * 100))
    }
    row("host↔host over the underlay (veth + bridge)", underlayBits)
    row("host↔host over a bare VXLAN device", vxlanBits)
    row("container↔container over ipsec (paddock driver)", ipsecBits)
    print(String(format: "userspace ESP costs %.0f× against the underlay, %.0f× against bare VXLAN", underlayBits / ipsecBits, vxlanBits / ipsecBits))
    for instance in instances { instance.destroy() }
}

do {
    try run()
    cleanUp()
} catch {
    cleanUp()
    FileHandle.standardError.write(Data("paddock-bench-ipsec: \(error)\n".utf8))
    exit(1)
}
