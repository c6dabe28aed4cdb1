import Foundation
import Glibc
import PaddockPosix
import XCTest

/// A reusable multi-host network lab made of namespaces, for driver tests:
///
/// - an underlay namespace `<prefix>u` holding bridge `under0` (nothing is added to the root
///   namespace), with each host's `eth0` veth'd onto it and addressed from 198.18.0.0/24;
/// - hosts as namespaces `<prefix><name>`, each with its own paddock state and config dirs and a
///   metadata file listing the environment's hosts;
/// - containers as namespaces `<prefix><name>` that a driver attaches (`paddock plugin invoke`
///   run inside the host namespace through `ip netns exec`).
///
/// The prefix carries the pid and a per-test tag so parallel runs by other people never collide;
/// everything (processes, namespaces, directories) goes in the test's teardown, also on failure.
final class NetTestbed {
    struct Host {
        var name: String
        var namespace: String
        var agentIP: String
        var stateDir: String
        var configDir: String
        var pluginDir: String
        var labels: [String: String] = [:]
    }

    struct Container {
        var name: String
        var namespace: String
        var host: String
        var netnsPath: String { "/var/run/netns/\(namespace)" }
    }

    let prefix: String
    let underlay: String
    let directory: TemporaryDirectory
    private(set) var hosts: [String: Host] = [:]
    private(set) var containers: [String: Container] = [:]
    private var namespaces: [String] = []
    private var processes: [Process] = []
    private var nextHostOctet = 11

    /// `tag`: a few letters unique within the test class (the pid is added).
    init(_ test: XCTestCase, tag: String) throws {
        guard getuid() == 0 else { throw XCTSkip("the network testbed needs root (network namespaces)") }
        prefix = "pt\(getpid())\(tag)"
        underlay = "\(prefix)u"
        directory = try TemporaryDirectory("paddock-net-\(tag)")
        test.addTeardownBlock { [self] in tearDown() }
        try makeNamespace(underlay)
        try ip(underlay, ["link", "add", "under0", "type", "bridge"])
        try ip(underlay, ["link", "set", "under0", "up"])
        try ip(underlay, ["link", "set", "lo", "up"])
    }

    // MARK: hosts and containers

    /// A host namespace on the underlay at 198.18.0.<octet>/24 (octets from .11 unless given).
    @discardableResult
    func addHost(_ name: String, octet: Int? = nil, labels: [String: String] = [:]) throws -> Host {
        let number = octet ?? nextHostOctet
        nextHostOctet = max(nextHostOctet, number + 1)
        let namespace = "\(prefix)\(name)"
        try makeNamespace(namespace)
        // Both ends are created inside namespaces: the root namespace never sees them.
        try ip(underlay, ["link", "add", "u-\(name)", "type", "veth", "peer", "name", "eth0", "netns", namespace])
        try ip(underlay, ["link", "set", "u-\(name)", "master", "under0", "up"])
        try ip(namespace, ["addr", "add", "198.18.0.\(number)/24", "dev", "eth0"])
        try ip(namespace, ["link", "set", "eth0", "up"])
        try ip(namespace, ["link", "set", "lo", "up"])
        let root = try directory.subdirectory(name)
        let host = Host(name: name, namespace: namespace, agentIP: "198.18.0.\(number)",
                        stateDir: try directory.subdirectory("\(name)/state"), configDir: try directory.subdirectory("\(name)/config"),
                        pluginDir: try directory.subdirectory("\(name)/plugins"), labels: labels)
        _ = root
        hosts[name] = host
        return host
    }

    /// An empty container namespace (lo up) that belongs to `host`; the driver attaches it.
    @discardableResult
    func addContainer(_ name: String, on host: String) throws -> Container {
        let namespace = "\(prefix)\(name)"
        try makeNamespace(namespace)
        try ip(namespace, ["link", "set", "lo", "up"])
        let container = Container(name: name, namespace: namespace, host: host)
        containers[name] = container
        return container
    }

    /// Removes a container's namespace (what a runtime does when the container dies).
    func removeNamespace(of container: Container) {
        _ = try? run(["ip", "netns", "del", container.namespace], check: false)
        namespaces.removeAll { $0 == container.namespace }
    }

    // MARK: metadata

    /// Writes each listed host's `<state>/metadata.json`: itself as `self`, `records` as the hosts.
    func writeMetadata(on hostNames: [String], records: [[String: Any]]) throws {
        for name in hostNames {
            let host = try XCTUnwrap(hosts[name])
            let document: [String: Any] = ["self": name, "hosts": records]
            let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: "\(host.stateDir)/metadata.json"))
        }
    }

    /// The metadata record of each named host (all by default).
    func records(_ names: [String]? = nil) -> [[String: Any]] {
        (names ?? hosts.keys.sorted()).compactMap { hosts[$0] }.map {
            ["name": $0.name, "agent_ip": $0.agentIP, "labels": $0.labels]
        }
    }

    // MARK: running things

    /// Runs a command inside a namespace (`ip netns exec`).
    @discardableResult
    func run(in namespace: String, _ arguments: [String], check: Bool = true, timeout: Double = 60) throws -> Harness.Run {
        try run(["ip", "netns", "exec", namespace] + arguments, check: check, timeout: timeout)
    }

    @discardableResult
    func run(_ arguments: [String], check: Bool = true, environment: [String: String] = [:], timeout: Double = 60) throws -> Harness.Run {
        var env = ChildProcess.currentEnvironment()
        for (key, value) in environment { env[key] = value }
        let outcome = try ChildProcess.run("/usr/bin/env", arguments: arguments, environment: env, timeoutSeconds: timeout)
        let result = Harness.Run(status: outcome.termination, stdout: String(decoding: outcome.stdout, as: UTF8.self),
                                 stderr: String(decoding: outcome.stderr, as: UTF8.self))
        if check && result.status != .exited(0) {
            throw HarnessError("\(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)\(result.stdout)")
        }
        return result
    }

    /// `ip -n NS ARGS…`.
    @discardableResult
    func ip(_ namespace: String, _ arguments: [String]) throws -> Harness.Run {
        try run(["ip", "-n", namespace] + arguments)
    }

    /// `ip -n NS -j ARGS…` (or `bridge -n NS -j …`) parsed as a JSON array.
    func json(_ namespace: String, tool: String = "ip", _ arguments: [String]) throws -> [[String: Any]] {
        let output = try run([tool, "-n", namespace, "-j"] + arguments).stdout
        if output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return [] }
        return (try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]]) ?? []
    }

    /// The `paddock` binary run inside the host's namespace with the host's own state and config.
    @discardableResult
    func paddock(on hostName: String, _ arguments: [String], stdin: String = "") throws -> Harness.Run {
        let host = try XCTUnwrap(hosts[hostName])
        try Harness.requirePaddock()
        var env = ChildProcess.currentEnvironment()
        env["PADDOCK_STATE_DIR"] = host.stateDir
        env["PADDOCK_CONFIG_DIR"] = host.configDir
        env["PADDOCK_PLUGIN_PATH"] = host.pluginDir
        env["HOME"] = host.stateDir
        let outcome = try ChildProcess.run("/usr/bin/ip", arguments: ["netns", "exec", host.namespace, Harness.paddock] + arguments,
                                           environment: env, stdin: Array(stdin.utf8), timeoutSeconds: 60)
        return Harness.Run(status: outcome.termination, stdout: String(decoding: outcome.stdout, as: UTF8.self),
                           stderr: String(decoding: outcome.stderr, as: UTF8.self))
    }

    /// Several `paddock` invocations on one host at the same time (all started, then all awaited);
    /// for races on shared state. Outputs must stay small (they are read after the start).
    func paddockConcurrently(on hostName: String, _ invocations: [[String]]) throws -> [Harness.Run] {
        let host = try XCTUnwrap(hosts[hostName])
        try Harness.requirePaddock()
        var env = ProcessInfo.processInfo.environment
        env["PADDOCK_STATE_DIR"] = host.stateDir
        env["PADDOCK_CONFIG_DIR"] = host.configDir
        env["PADDOCK_PLUGIN_PATH"] = host.pluginDir
        env["HOME"] = host.stateDir
        var running: [(Process, Pipe, Pipe)] = []
        for arguments in invocations {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/ip")
            process.arguments = ["netns", "exec", host.namespace, Harness.paddock] + arguments
            process.environment = env
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            running.append((process, out, err))
        }
        return running.map { process, out, err in
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Harness.Run(status: .exited(process.terminationStatus), stdout: String(decoding: stdout, as: UTF8.self),
                               stderr: String(decoding: stderr, as: UTF8.self))
        }
    }

    /// Copies a built driver into the host's plugin dir and enables it with `config`.
    func enable(_ product: String, as name: String, on hostName: String, config: [String: Any]) throws {
        let host = try XCTUnwrap(hosts[hostName])
        let source = try Harness.swiftPlugin(product)
        try run(["cp", source, "\(host.pluginDir)/lib\(product).so"])
        let configFile = "\(host.configDir)/\(name)-enable.json"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configFile))
        let enabled = try paddock(on: hostName, ["plugin", "enable", name, "--config", configFile])
        guard enabled.status == .exited(0) else {
            throw HarnessError("enable \(name) on \(hostName) failed: \(enabled.stderr)\(enabled.stdout)")
        }
    }

    /// One ping from a container to an address; true when answered.
    func ping(from container: Container, _ address: String, timeoutSeconds: Int = 2) throws -> Bool {
        try run(in: container.namespace, ["busybox", "ping", "-c", "1", "-W", "\(timeoutSeconds)", "-q", address], check: false).status == .exited(0)
    }

    // MARK: background processes and captures

    /// Starts a long-running command inside a namespace; killed at teardown (or by `stop`).
    @discardableResult
    func start(in namespace: String, _ arguments: [String], output: String? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ip")
        process.arguments = ["netns", "exec", namespace] + arguments
        if let output {
            FileManager.default.createFile(atPath: output, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        processes.append(process)
        return process
    }

    func stop(_ process: Process) {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        processes.removeAll { $0 === process }
    }

    /// A packet capture on the underlay bridge (tcpdump, text, no name resolution). Call
    /// `finish` to stop it and read what it printed.
    func captureUnderlay(filter: [String] = []) throws -> Capture {
        let file = "\(directory.path)/capture-\(processes.count).txt"
        let process = try start(in: underlay, ["tcpdump", "-l", "-n", "-i", "under0", "-U"] + filter, output: file)
        usleep(500_000) // tcpdump needs a moment before it sees packets
        return Capture(testbed: self, process: process, file: file)
    }

    struct Capture {
        let testbed: NetTestbed
        let process: Process
        let file: String

        func finish() -> String {
            usleep(200_000)
            testbed.stop(process)
            return (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        }
    }

    // MARK: lifecycle

    private func makeNamespace(_ name: String) throws {
        try run(["ip", "netns", "add", name])
        namespaces.append(name)
    }

    func tearDown() {
        for process in processes where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        processes = []
        // Kill anything still running inside our namespaces (e.g. a server a test started).
        for namespace in namespaces {
            if let pids = try? run(["ip", "netns", "pids", namespace], check: false).stdout {
                for pid in pids.split(whereSeparator: \.isNewline).compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
            }
        }
        // Deleting a namespace deletes every link in it (and a veth's peer with it).
        for namespace in namespaces.reversed() { _ = try? run(["ip", "netns", "del", namespace], check: false) }
        namespaces = []
        directory.remove()
    }
}
