// One CNI ADD+DEL cycle in a fresh network namespace, three ways, same run:
//   (a) the driver's add/del through the in-process contract (PluginRuntime, as the CNI binary uses it)
//   (b) the installed `paddock` CNI binary, exec'd like a runtime does, with no server running
//       (the C shim execs paddock-cni: the whole adapter in one process per invocation)
//   (b') the same binary while `paddock cni serve` runs (the shim forwards over the socket)
//   (c) Debian's /usr/lib/cni/bridge with host-local IPAM, exec'd the same way
//   (k) the kernel's floor: only the veth pair every veth-based plugin makes (created with its
//       peer directly in the namespace, then deleted), by netlink from this process
//   (w) the kernel's work for the bridge design alone: (k) plus the host end on a bridge and up,
//       the container end up with an address and a default route — what (a) and (c) both ask of
//       the kernel, with no file, no IPAM and no JSON
// Namespace creation and removal are outside the timed region. Run inside a namespace of its
// own (bench/cni-run does) so the bridge of (c) and every host-side link stay out of the host.
// Usage: paddock-bench-cni CYCLES STATE-DIR PLUGIN-DIR CNI-DIR DRIVER DRIVER-ENTRY-JSON BRIDGE-ENTRY-JSON
import Foundation
import Glibc
import PaddockCore
import PaddockHost
import PaddockNetlink
import PaddockPosix

let arguments = CommandLine.arguments
guard arguments.count == 8, let cycles = Int(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: paddock-bench-cni CYCLES STATE PLUGINS CNI-DIR DRIVER DRIVER-ENTRY BRIDGE-ENTRY\n".utf8))
    exit(2)
}
let (state, plugins, cniDirectory, driver) = (arguments[2], arguments[3], arguments[4], arguments[5])
let driverEntry = arguments[6], bridgeEntry = arguments[7]
let prefix = "pdbench\(getpid())"

func ip(_ args: String...) {
    let run = try? ChildProcess.run("/usr/sbin/ip", arguments: args, timeoutSeconds: 30)
    if run?.termination != .exited(0) {
        FileHandle.standardError.write(Data("ip \(args.joined(separator: " ")) failed\n".utf8))
        exit(1)
    }
}

/// CPU seconds used so far by this process and its waited-for children (user + system).
func cpuSeconds() -> Double {
    var own = rusage(), children = rusage()
    getrusage(RUSAGE_SELF.rawValue, &own)
    getrusage(RUSAGE_CHILDREN.rawValue, &children)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(own.ru_utime) + seconds(own.ru_stime) + seconds(children.ru_utime) + seconds(children.ru_stime)
}

struct Samples {
    var wall: [Double] = []
    var cpu: [Double] = []
}

/// Times `body` once per cycle (wall clock and CPU), each in a namespace made just before and
/// removed just after. CPU time is what to compare on a machine shared with other work.
func measure(_ label: String, _ body: (_ netns: String, _ container: String) -> Bool) -> Samples {
    var samples = Samples()
    for cycle in 0..<cycles {
        let name = "\(prefix)\(label)\(cycle)"
        ip("netns", "add", name)
        let cpuStart = cpuSeconds()
        let start = ChildProcess.monotonicSeconds()
        let ok = body("/run/netns/\(name)", "\(label)\(cycle)")
        samples.wall.append((ChildProcess.monotonicSeconds() - start) * 1000)
        samples.cpu.append((cpuSeconds() - cpuStart) * 1000)
        ip("netns", "del", name)
        if !ok { FileHandle.standardError.write(Data("\(label) cycle \(cycle) failed\n".utf8)); exit(1) }
    }
    return samples
}

func exec(_ binary: String, _ command: String, _ netns: String, _ container: String, _ config: String) -> Bool {
    let environment = ["CNI_COMMAND": command, "CNI_CONTAINERID": container, "CNI_NETNS": netns, "CNI_IFNAME": "eth0",
                       "CNI_PATH": "/usr/lib/cni", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]
    guard let run = try? ChildProcess.run(binary, arguments: [], environment: environment, stdin: Array(config.utf8), timeoutSeconds: 60),
          run.termination == .exited(0) else { return false }
    return true
}

let configuration = HostConfiguration(pluginPath: [plugins], stateDirectory: state, executable: ChildProcess.currentExecutable())
let runtime = PluginRuntime(catalog: PluginCatalog(configuration: configuration, explicitDirectories: [plugins]),
                            logger: Logger(level: .error))
let entry = try JSONValue(parsing: driverEntry)
let handle = try runtime.handle(named: driver)

func contractCall(_ operation: String, _ netns: String, _ container: String) -> Bool {
    let request: JSONValue = .object(["command": .string(operation.uppercased()), "containerId": .string(container),
                                      "netns": .string(netns), "ifName": "eth0", "args": .object([:]), "config": entry])
    return handle.call(.network, operation, request).isSuccess
}

let inProcess = measure("a") { netns, id in contractCall("add", netns, id) && contractCall("del", netns, id) }
let binary = measure("b") { netns, id in
    exec("\(cniDirectory)/paddock", "ADD", netns, id, driverEntry) && exec("\(cniDirectory)/paddock", "DEL", netns, id, driverEntry)
}
// (b'): a server in this namespace, drivers loaded once; the shim finds it via DIR/paddock.sock.
let server = Process()
server.executableURL = URL(fileURLWithPath: AtomicFile.parentDirectoryPath(of: ChildProcess.currentExecutable()) + "/paddock")
server.arguments = ["cni", "serve", "--state-dir", state, "--plugin-path", plugins]
server.standardOutput = FileHandle.nullDevice
try server.run()
for _ in 0..<200 where !FileSystem.exists("\(state)/cni.sock") { usleep(10_000) }
/// utime + stime of a process, dead threads included (/proc/PID/stat fields 14 and 15, in ticks).
func processCPUSeconds(_ pid: Int32) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = text.lastIndex(of: ")") else { return 0 }
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}
let serverBefore = processCPUSeconds(server.processIdentifier)
var served = measure("s") { netns, id in
    exec("\(cniDirectory)/paddock", "ADD", netns, id, driverEntry) && exec("\(cniDirectory)/paddock", "DEL", netns, id, driverEntry)
}
// The server's CPU for the phase, spread evenly over the cycles (tick resolution per phase).
let serverPerCycle = (processCPUSeconds(server.processIdentifier) - serverBefore) * 1000 / Double(cycles)
served.cpu = served.cpu.map { $0 + serverPerCycle }
print(String(format: "(b') server CPU per cycle (included below): %.3f ms", serverPerCycle))
server.terminate()
server.waitUntilExit()
unlink("\(state)/cni.sock")

// (k): no file, no IPAM, no address; one RTM_NEWLINK and one RTM_DELLINK. Neither (a) nor (c)
// can be faster than this, so (c)/(k) bounds the ratio any veth-based path can reach here.
let host = try NetlinkSocket()
let floor = measure("k") { netns, id in
    do {
        let namespace = try NetworkNamespace(path: netns)
        try host.createVeth(name: "vk\(id)", peerName: "eth0", peerNamespace: namespace)
        return try host.deleteLink(named: "vk\(id)")
    } catch {
        FileHandle.standardError.write(Data("kernel floor: \(error)\n".utf8))
        return false
    }
}

let wiringBridge = "pdbw\(getpid() % 100000)"
try host.createBridge(name: wiringBridge)
guard let bridgeLink = try host.link(named: wiringBridge) else { fatalError("bridge \(wiringBridge) vanished") }
try host.addAddress(InterfaceAddress(index: bridgeLink.index, address: IPv4Address("198.18.97.1")!, prefix: 24))
try host.setUp(index: bridgeLink.index)
let wiring = measure("w") { netns, id in
    do {
        let namespace = try NetworkNamespace(path: netns)
        try host.createVeth(name: "vw\(id)", peerName: "eth0", peerNamespace: namespace)
        guard let hostEnd = try host.link(named: "vw\(id)") else { return false }
        try host.setMaster(index: hostEnd.index, master: bridgeLink.index)
        try host.setUp(index: hostEnd.index)
        let inside = try namespace.socket()
        guard let eth0 = try inside.link(named: "eth0") else { return false }
        try inside.setUp(index: eth0.index)
        try inside.addAddress(InterfaceAddress(index: eth0.index, address: IPv4Address("198.18.97.2")!, prefix: 24))
        try inside.addRoute(Route(destination: IPv4Network("0.0.0.0/0")!, gateway: IPv4Address("198.18.97.1")!))
        return try host.deleteLink(named: "vw\(id)")
    } catch {
        FileHandle.standardError.write(Data("kernel wiring: \(error)\n".utf8))
        return false
    }
}
_ = try? host.deleteLink(named: wiringBridge)

let debian = measure("c") { netns, id in
    exec("/usr/lib/cni/bridge", "ADD", netns, id, bridgeEntry) && exec("/usr/lib/cni/bridge", "DEL", netns, id, bridgeEntry)
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
let rows = [("(a) in-process contract, driver \(driver)", inProcess), ("(b) paddock CNI binary, driver \(driver)", binary),
            ("(b') the same with `paddock cni serve`", served),
            ("(c) Debian bridge + host-local by exec", debian),
            ("(k) kernel floor: veth pair made + deleted", floor),
            ("(w) kernel work of the bridge wiring", wiring)]
print("cycles: \(cycles) (one ADD + one DEL each, fresh netns each); medians")
for (label, samples) in rows {
    print(label.padding(toLength: 46, withPad: " ", startingAt: 0)
          + String(format: "wall %8.3f ms   cpu %8.3f ms", median(samples.wall), median(samples.cpu)))
}
print(String(format: "ratio (c)/(a): wall %.1fx, cpu %.1fx (goal >= 10x)",
             median(debian.wall) / median(inProcess.wall), median(debian.cpu) / median(inProcess.cpu)))
print(String(format: "ratio (c)/(b): wall %.2fx, cpu %.2fx (goal >= 2x)",
             median(debian.wall) / median(binary.wall), median(debian.cpu) / median(binary.cpu)))
print(String(format: "ratio (c)/(b'): wall %.2fx, cpu %.2fx (goal >= 2x; server CPU included)",
             median(debian.wall) / median(served.wall), median(debian.cpu) / median(served.cpu)))
print(String(format: "ceiling (c)/(k): wall %.1fx, cpu %.1fx (no veth-based path can beat the kernel's own work)",
             median(debian.wall) / median(floor.wall), median(debian.cpu) / median(floor.cpu)))
print(String(format: "ceiling (c)/(w): wall %.1fx, cpu %.1fx (the bridge design's kernel work, nothing else)",
             median(debian.wall) / median(wiring.wall), median(debian.cpu) / median(wiring.cpu)))
