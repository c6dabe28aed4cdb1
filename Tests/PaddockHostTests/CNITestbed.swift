import Foundation
import Glibc
import PaddockPosix
import XCTest

/// A Paddock host in temp dirs with a network driver enabled and the `paddock` CNI binary
/// installed, plus network namespaces named `pdcni<pid>t<n>…` that are removed when the test ends.
final class CNITestbed {
    let temp: TemporaryDirectory
    let plugins: String
    let state: String
    let cniDirectory: String
    let prefix: String
    private(set) var namespaces: [String] = []
    nonisolated(unsafe) private static var counter = 0

    /// Enables `driver` (a Swift driver product) with `config` and installs the CNI binary.
    init(test: XCTestCase, driverProduct: String = "HostLocal", driver: String = "host-local",
         config: String = #"{"subnet": "198.18.40.0/24"}"#) throws {
        guard getuid() == 0 else { throw XCTSkip("network namespaces need root") }
        temp = try test.temporaryDirectory("paddock-cni")
        plugins = try temp.subdirectory("plugins")
        state = try temp.subdirectory("state")
        cniDirectory = "\(temp.path)/cni-bin"
        CNITestbed.counter += 1
        prefix = "pdcni\(getpid())t\(CNITestbed.counter)"
        symlink(try Harness.swiftPlugin(driverProduct), "\(plugins)/lib\(driverProduct).so")
        let configFile = "\(temp.path)/driver.json"
        try Data(config.utf8).write(to: URL(fileURLWithPath: configFile))
        let enable = try Harness.paddock(["plugin", "enable", driver, "--config", configFile], pluginPath: plugins, stateDir: state)
        guard enable.status == .exited(0) else { throw HarnessError("enable \(driver) failed: \(enable.stderr)") }
        let install = try Harness.paddock(["cni", "install", "--dir", cniDirectory, "--format", "json"], pluginPath: plugins, stateDir: state)
        guard install.status == .exited(0) else { throw HarnessError("cni install failed: \(install.stderr) \(install.stdout)") }
        test.addTeardownBlock { [self] in removeNamespaces() }
    }

    var binary: String { "\(cniDirectory)/paddock" }

    /// A fresh network namespace; its path is /run/netns/NAME.
    func makeNamespace() throws -> String {
        let name = "\(prefix)n\(namespaces.count)"
        let run = try ChildProcess.run("/usr/sbin/ip", arguments: ["netns", "add", name], timeoutSeconds: 30)
        guard run.termination == .exited(0) else { throw HarnessError("ip netns add \(name): \(String(decoding: run.stderr, as: UTF8.self))") }
        namespaces.append(name)
        return "/run/netns/\(name)"
    }

    func deleteNamespace(_ path: String) throws {
        let name = String(path.split(separator: "/").last!)
        _ = try ChildProcess.run("/usr/sbin/ip", arguments: ["netns", "del", name], timeoutSeconds: 30)
    }

    func removeNamespaces() {
        for name in namespaces { _ = try? ChildProcess.run("/usr/sbin/ip", arguments: ["netns", "del", name], timeoutSeconds: 30) }
        namespaces = []
    }

    struct Outcome {
        var status: ChildProcess.Termination
        var stdout: String
        var stderr: String
        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] }
        var code: Int? { json?["code"] as? Int }
    }

    /// Runs the installed binary as a CNI runtime would: the CNI_* variables and the config on stdin.
    func exec(_ command: String, container: String? = nil, netns: String? = nil, ifname: String? = "eth0",
              config: String, extra: [String: String] = [:]) throws -> Outcome {
        var environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "CNI_COMMAND": command, "CNI_PATH": cniDirectory]
        if let container { environment["CNI_CONTAINERID"] = container }
        if let netns { environment["CNI_NETNS"] = netns }
        if let ifname { environment["CNI_IFNAME"] = ifname }
        for (key, value) in extra { environment[key] = value }
        let run = try ChildProcess.run(binary, arguments: [], environment: environment, stdin: Array(config.utf8), timeoutSeconds: 60)
        return Outcome(status: run.termination, stdout: String(decoding: run.stdout, as: UTF8.self),
                       stderr: String(decoding: run.stderr, as: UTF8.self))
    }

    /// The driver's leases through `paddock plugin call host-local leases`.
    func leases() throws -> [[String: String]] {
        let run = try Harness.paddock(["plugin", "call", "host-local", "leases", "--format", "json"], pluginPath: plugins, stateDir: state)
        guard run.status == .exited(0) else { throw HarnessError("leases: \(run.stderr)") }
        return ((run.json as? [String: Any])?["leases"] as? [[String: String]]) ?? []
    }

    /// The conflist entry as the runtime streams it (name and cniVersion of the list).
    static func entry(version: String = "1.0.0", driver: String = "host-local", subnet: String = "198.18.40.0/24",
                      extra: String = "") -> String {
        #"{"cniVersion":"\#(version)","name":"pdnet","type":"paddock","driver":"\#(driver)","ipam":{"subnet":"\#(subnet)"}\#(extra)}"#
    }
}

/// Many CNI invocations started at once by one shell, as a runtime starting many containers
/// would: one invocation per (container ID, netns, config file), every exit status checked.
struct ParallelCNI {
    struct Invocation {
        var containerID: String
        var netns: String
        var configFile: String
    }

    let binary: String
    let cniPath: String
    let outputs: String
    /// The network namespace the shell runs in (the host's); nil runs it here.
    var hostNamespace: String?

    /// Runs `command` for every invocation, asserts each exited 0, and returns their stdouts.
    @discardableResult
    func run(_ command: String, _ invocations: [Invocation], file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        var script = "export CNI_COMMAND=\(command) CNI_IFNAME=eth0 CNI_PATH=\(cniPath)\n"
        for (index, invocation) in invocations.enumerated() {
            script += "CNI_CONTAINERID=\(invocation.containerID) CNI_NETNS=\(invocation.netns) \(binary) < \(invocation.configFile)"
                + " > \(outputs)/\(command)-\(index).out 2>&1; echo $? > \(outputs)/\(command)-\(index).rc &\n"
        }
        script += "wait\n"
        let shell = hostNamespace.map { ("/usr/bin/ip", ["netns", "exec", $0, "/bin/sh", "-c", script]) } ?? ("/bin/sh", ["-c", script])
        let run = try ChildProcess.run(shell.0, arguments: shell.1, timeoutSeconds: 300)
        XCTAssertEqual(run.termination, .exited(0), file: file, line: line)
        return try invocations.indices.map { index in
            let rc = try String(contentsOfFile: "\(outputs)/\(command)-\(index).rc", encoding: .utf8)
            let out = try String(contentsOfFile: "\(outputs)/\(command)-\(index).out", encoding: .utf8)
            XCTAssertEqual(rc.trimmingCharacters(in: .whitespacesAndNewlines), "0", "\(command) p\(index): \(out)", file: file, line: line)
            return out
        }
    }

    /// The first `ips[].address` of each ADD answer that has one.
    static func addresses(_ outputs: [String]) -> [String] {
        outputs.compactMap { out in
            let json = try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
            return (json?["ips"] as? [[String: Any]])?.first?["address"] as? String
        }
    }
}
