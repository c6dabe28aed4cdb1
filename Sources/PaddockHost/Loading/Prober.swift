import Foundation
import PaddockCore
import PaddockPosix

/// Probes a plugin (dlopen + negotiation + table checks) in a child `paddock` process with a
/// deadline, so a plugin that crashes, aborts, exits or hangs while loading cannot take the host
/// with it; the outcome names the signal, the exit or the timeout.
public struct Prober: Sendable {
    public var executable: String
    public var timeoutSeconds: Double
    /// The hidden subcommand that runs `ProbeAgent` in the child.
    public static let childArguments = ["plugin", "__probe"]
    static let resultMarker = "PADDOCK-PROBE-RESULT "

    public init(executable: String, timeoutSeconds: Double) {
        self.executable = executable
        self.timeoutSeconds = timeoutSeconds
    }

    public enum Outcome: Sendable {
        case loaded(JSONValue)
        case failed(String)
    }

    public func probe(path: String) -> Outcome {
        let outcome: ChildProcess.Outcome
        do {
            // The Swift runtime's backtracer would catch the plugin's crash signal in the child and
            // spend seconds symbolicating; the probe wants the plain signal.
            var environment = ChildProcess.currentEnvironment()
            environment["SWIFT_BACKTRACE"] = "enable=no"
            outcome = try ChildProcess.run(executable, arguments: Self.childArguments + [path],
                                           environment: environment, timeoutSeconds: timeoutSeconds)
        } catch {
            return .failed("could not start the probe process: \(error)")
        }
        let stdout = String(decoding: outcome.stdout, as: UTF8.self)
        let report = stdout.split(separator: "\n").last { $0.hasPrefix(Self.resultMarker) }
            .flatMap { try? JSONValue(parsing: String($0.dropFirst(Self.resultMarker.count))) }
        let stderrTail = String(decoding: outcome.stderr.suffix(400), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        switch outcome.termination {
        case .timedOut(let seconds):
            return .failed("timed out after \(Self.format(seconds)) s while loading (a hang in a constructor or in \(PluginFile.entrySymbol)?)")
        case .signaled(let signal):
            return .failed("crashed while loading: killed by \(ChildProcess.signalName(signal))\(Self.suffix(stderrTail))")
        case .exited(let code):
            guard let report else {
                return .failed("the process exited with status \(code) before reporting: the plugin called exit() while loading\(Self.suffix(stderrTail))")
            }
            if report["ok"]?.boolValue == true, let description = report["plugin"] {
                return .loaded(description)
            }
            return .failed(report["error"]?.stringValue ?? "probe failed (exit \(code))")
        }
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }

    static func suffix(_ stderr: String) -> String {
        stderr.isEmpty ? "" : " (stderr: \(stderr.split(separator: "\n").suffix(3).joined(separator: " | ")))"
    }
}

/// The child side of a probe: load in this process, print one marked JSON line, exit.
public enum ProbeAgent {
    public static func run(path: String) -> Int32 {
        let report: JSONValue
        do {
            let plugin = try PluginImageLoader.load(path: path)
            report = .object(["ok": true, "plugin": plugin.description])
        } catch {
            report = .object(["ok": false, "error": .string(error.message)])
        }
        print(Prober.resultMarker + report.serialized())
        return report["ok"]?.boolValue == true ? 0 : 1
    }
}
