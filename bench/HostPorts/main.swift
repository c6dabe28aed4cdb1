// Host-port benchmark (not a test): what one host-port ADD+DEL costs through PaddockHostPorts as the
// driver's table grows, against two baselines measured in the same run inside a scratch network
// namespace: the floor (`nft -f` of an empty table: one process start and one netlink transaction)
// and Debian's CNI `portmap` plugin (iptables) doing the same ADD+DEL.
//   paddock-bench-hostports [ITERATIONS]
import Foundation
import PaddockHostPorts
import PaddockPosix

let iterations = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 20 : 20
let namespace = "pbh\(getpid())"
let namespacePath = "/run/netns/\(namespace)"
let work = "/tmp/paddock-bench-hostports-\(getpid())"

func run(_ tool: String, _ arguments: [String], stdin: String = "", environment: [String: String]? = nil) -> Bool {
    guard let outcome = try? ChildProcess.run(tool, arguments: arguments, environment: environment, stdin: Array(stdin.utf8),
                                              timeoutSeconds: 60) else { return false }
    if outcome.termination != .exited(0) {
        FileHandle.standardError.write(Data("\(tool) \(arguments.joined(separator: " ")): \(String(decoding: outcome.stderr + outcome.stdout, as: UTF8.self))\n".utf8))
    }
    return outcome.termination == .exited(0)
}

/// Mean milliseconds per call of `body` over `iterations` calls (after one warm-up call).
func measure(_ body: () -> Bool) -> Double? {
    guard body() else { return nil }
    let start = ChildProcess.monotonicSeconds()
    for _ in 0..<iterations where !body() { return nil }
    return (ChildProcess.monotonicSeconds() - start) * 1000 / Double(iterations)
}

final class MemoryStore: HostPortRecordStore, @unchecked Sendable {
    var byContainer: [String: ContainerPorts] = [:]
    func records() throws(HostPortsError) -> [ContainerPorts] { Array(byContainer.values) }
    func save(_ record: ContainerPorts) throws(HostPortsError) { byContainer[record.container] = record }
    func remove(container: String) throws(HostPortsError) { byContainer[container] = nil }
}

guard getuid() == 0 else {
    print("needs root (a scratch network namespace)")
    exit(2)
}
guard run("/usr/sbin/ip", ["netns", "add", namespace]) else { exit(1) }
defer {
    _ = run("/usr/sbin/ip", ["netns", "del", namespace])
    _ = run("/bin/rm", ["-rf", work])
}
_ = run("/usr/sbin/ip", ["-n", namespace, "link", "set", "lo", "up"])
_ = run("/usr/sbin/ip", ["-n", namespace, "link", "add", "br0", "type", "bridge"])
_ = run("/usr/sbin/ip", ["-n", namespace, "addr", "add", "198.18.64.1/18", "dev", "br0"])
_ = run("/usr/sbin/ip", ["-n", namespace, "link", "set", "br0", "up"])
try? FileSystem.makeDirectories(work)

var rows: [(String, Double?)] = []
let floor = measure {
    run("/usr/bin/nsenter", ["--net=\(namespacePath)", "--", "/usr/sbin/nft", "-f", "-"],
        stdin: "table ip pbh_floor {}\ndelete table ip pbh_floor\ntable ip pbh_floor {}\n")
}
rows.append(("floor: nft -f of an empty table (one process, one transaction)", floor))

let subnet = IPv4Subnet("198.18.64.0/18")!
for existing in [0, 100, 1000] {
    let store = MemoryStore()
    for index in 0..<existing {
        let address = IPv4Address(subnet.network.value + 2 + UInt32(index))
        store.byContainer["c\(index)"] = ContainerPorts(container: "c\(index)", address: address,
                                                    mappings: [PortMapping(hostPort: 10000 + index, containerPort: 80)])
    }
    let ports = HostPorts(settings: HostNATSettings(owner: "bench\(existing)", subnets: [subnet], localnetInterfaces: ["br0"],
                                                    namespacePath: namespacePath, lockPath: "\(work)/lock\(existing)"),
                          store: store)
    let target = IPv4Address(subnet.network.value + 5000)
    let mapping = PortMapping(hostPort: 8080, containerPort: 80)
    let mean = measure {
        do {
            try ports.attach(container: "bench", address: target, mappings: [mapping])
            try ports.detach(container: "bench")
            return true
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            return false
        }
    }
    rows.append(("PaddockHostPorts attach+detach, \(existing) other containers published", mean))
    if existing == 0 {
        let plain = measure {
            (try? ports.attach(container: "plain", address: target, mappings: [])) != nil
                && (try? ports.detach(container: "plain")) != nil
        }
        rows.append(("PaddockHostPorts attach+detach without mappings (host NAT already in place)", plain))
    }
    try? ports.teardown()
}

let portmap = "/usr/lib/cni/portmap"
if FileSystem.exists(portmap) {
    let config = """
        {"cniVersion":"1.0.0","name":"pbh","type":"portmap","capabilities":{"portMappings":true},\
        "runtimeConfig":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]},\
        "prevResult":{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"\(namespacePath)"}],\
        "ips":[{"address":"198.18.100.2/18","interface":0}]}}
        """
    var environment = ChildProcess.currentEnvironment()
    environment["CNI_CONTAINERID"] = "bench"
    environment["CNI_NETNS"] = namespacePath
    environment["CNI_IFNAME"] = "eth0"
    environment["CNI_PATH"] = "/usr/lib/cni"
    let mean = measure {
        var add = environment, del = environment
        add["CNI_COMMAND"] = "ADD"
        del["CNI_COMMAND"] = "DEL"
        return run("/usr/bin/nsenter", ["--net=\(namespacePath)", "--", portmap], stdin: config, environment: add)
            && run("/usr/bin/nsenter", ["--net=\(namespacePath)", "--", portmap], stdin: config, environment: del)
    }
    rows.append(("Debian CNI portmap 1.1.1 ADD+DEL (iptables), same mapping", mean))
}

print("host-port ADD+DEL, \(iterations) iterations each, in a scratch namespace")
print("| path | ms per ADD+DEL | vs floor |")
print("|---|---|---|")
for (label, value) in rows {
    guard let value else {
        print("| \(label) | failed | |")
        continue
    }
    let ratio = floor.map { String(format: value / $0 < 0.1 ? "%.4f×" : "%.1f×", value / $0) } ?? "?"
    print("| \(label) | \(String(format: value < 0.1 ? "%.4f" : "%.2f", value)) | \(ratio) |")
}
