import PaddockPluginKit

/// The network namespace that is "this host": the caller's own, or a named one (`netns` in the
/// enable config — several hosts on one machine, as the tests run them). Every command the driver
/// runs for the host goes through here.
struct HostNamespace {
    static let ip = "/usr/sbin/ip"
    let name: String?

    var label: String { name.map { "network namespace \($0)" } ?? "the current network namespace" }

    /// `ip …` against the host's namespace.
    func ip(_ arguments: [String], timeoutSeconds: Double = 15) throws(DriverError) -> System.Outcome {
        try System.run(Self.ip, (name.map { ["-n", $0] } ?? []) + arguments, timeoutSeconds: timeoutSeconds)
    }

    /// The program and arguments that run `executable` inside the host's namespace.
    func command(_ executable: String, _ arguments: [String]) -> (String, [String]) {
        guard let name else { return (executable, arguments) }
        return (Self.ip, ["netns", "exec", name, executable] + arguments)
    }

    func run(_ executable: String, _ arguments: [String], timeoutSeconds: Double = 15) throws(DriverError) -> System.Outcome {
        let (program, args) = command(executable, arguments)
        return try System.run(program, args, timeoutSeconds: timeoutSeconds)
    }

    func sysctl(_ key: String, _ value: String) throws(DriverError) {
        let outcome = try run("/usr/sbin/sysctl", ["-qw", "\(key)=\(value)"])
        guard outcome.succeeded else {
            throw .io("sysctl \(key)=\(value) in \(label) failed", details: outcome.output.trimmedLines)
        }
    }
}

extension String {
    var trimmedLines: String {
        split(separator: "\n").map { $0.trimmingPrefixSpaces() }.filter { !$0.isEmpty }.joined(separator: "; ")
    }
}
