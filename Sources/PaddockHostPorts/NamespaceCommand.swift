import Foundation
import PaddockPosix

/// The thin layer that runs nft, iptables, conntrack and sysctl — inside a network namespace
/// through nsenter when one is named. Failures carry the tool, its status and its stderr.
struct NamespaceCommand: Sendable {
    let namespacePath: String?
    var timeoutSeconds: Double = 30

    static let searchPath = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
    /// The Debian package that provides each tool, for the error's fix.
    static let packages = ["nft": "nftables", "iptables": "iptables", "iptables-restore": "iptables",
                           "conntrack": "conntrack", "sysctl": "procps", "nsenter": "util-linux"]

    func locate(_ tool: String) -> String? {
        NamespaceCommand.searchPath.map { "\($0)/\(tool)" }.first { FileSystem.exists($0) }
    }

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the tool; any exit status is returned, only a missing tool or a signal throws.
    func attempt(_ tool: String, _ arguments: [String], stdin: String = "") throws(HostPortsError) -> Outcome {
        guard let path = locate(tool) else {
            throw HostPortsError(.command, "\(tool) is not installed (looked in \(NamespaceCommand.searchPath.joined(separator: ", ")))",
                                 hint: "install the Debian package \(NamespaceCommand.packages[tool] ?? tool)")
        }
        var executable = path
        var argv = arguments
        if let namespacePath {
            guard let nsenter = locate("nsenter") else {
                throw HostPortsError(.command, "nsenter is not installed", hint: "install the Debian package util-linux")
            }
            executable = nsenter
            argv = ["--net=\(namespacePath)", "--", path] + arguments
        }
        let outcome: ChildProcess.Outcome
        do {
            outcome = try ChildProcess.run(executable, arguments: argv, stdin: Array(stdin.utf8), timeoutSeconds: timeoutSeconds)
        } catch {
            throw HostPortsError(.command, "\(tool) could not be started: \(error)")
        }
        let stdout = String(decoding: outcome.stdout, as: UTF8.self)
        let stderr = String(decoding: outcome.stderr, as: UTF8.self)
        switch outcome.termination {
        case .exited(let status): return Outcome(status: status, stdout: stdout, stderr: stderr)
        case .signaled(let signal):
            throw HostPortsError(.command, "\(tool) \(arguments.joined(separator: " ")) was killed by signal \(signal)\(location)")
        case .timedOut:
            throw HostPortsError(.command, "\(tool) \(arguments.joined(separator: " ")) did not finish in \(Int(timeoutSeconds)) s\(location)")
        }
    }

    /// Runs the tool and requires exit status 0.
    @discardableResult
    func run(_ tool: String, _ arguments: [String], stdin: String = "") throws(HostPortsError) -> String {
        let outcome = try attempt(tool, arguments, stdin: stdin)
        guard outcome.status == 0 else {
            let detail = outcome.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw HostPortsError(.command, "\(tool) \(arguments.joined(separator: " ")) failed with status \(outcome.status)\(location): \(detail)",
                                 hint: "check that the kernel has nf_tables and NAT and that Paddock runs as root")
        }
        return outcome.stdout
    }

    /// True for exit status 0, false for any other status (e.g. `iptables -C` on a missing rule).
    func succeeds(_ tool: String, _ arguments: [String]) throws(HostPortsError) -> Bool {
        try attempt(tool, arguments).status == 0
    }

    private var location: String { namespacePath.map { " in network namespace \($0)" } ?? "" }
}
