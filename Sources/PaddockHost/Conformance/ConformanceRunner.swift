import Foundation
import PaddockCore
import PaddockPosix

/// The parent side of `paddock plugin test`: runs the checks in child `paddock` processes
/// (`paddock plugin __conform`), so that a plugin that crashes, exits or hangs fails the check it
/// was in, and a fresh child carries on with the checks after it.
public struct ConformanceRunner: Sendable {
    public static let childArguments = ["plugin", "__conform"]
    public var executable: String
    /// Per check; the thread-safety check gets three times as long.
    public var timeoutSeconds: Double

    public init(executable: String, timeoutSeconds: Double) {
        self.executable = executable
        self.timeoutSeconds = timeoutSeconds
    }

    public func run(path: String, config: JSONValue, stateDirectory: String) -> [ConformanceCheckResult] {
        var results = runSuite(.main, path: path, config: config, stateDirectory: stateDirectory)
        let refusal = runSuite(.refusal, path: path, config: config, stateDirectory: stateDirectory)
        let after = results.firstIndex { $0.check == ConformanceCheckName.negotiationAccepts }.map { $0 + 1 } ?? 0
        results.insert(contentsOf: refusal, at: after)
        return results
    }

    func runSuite(_ suite: ConformanceSuite, path: String, config: JSONValue, stateDirectory: String) -> [ConformanceCheckResult] {
        var results: [ConformanceCheckResult] = []
        var done = Set<String>()
        var plan: [String] = []
        // Each child either finishes or settles at least one check, so this bounds the respawns.
        var children = 0
        while children <= max(plan.count, 1) + 1 {
            children += 1
            let child = spawn(suite, path: path, config: config, stateDirectory: stateDirectory, skip: done,
                              expectedChecks: plan.isEmpty ? 80 : plan.count - done.count)
            let report = ConformanceChildReport(ConformanceWire.events(in: child.stdout))
            if !report.plan.isEmpty { plan = report.plan }
            for result in report.results where done.insert(result.check).inserted { results.append(result) }
            let missing = plan.filter { !done.contains($0) }
            if missing.isEmpty {
                guard !results.isEmpty else {
                    // Not even the first check began: the child is not a working `paddock`.
                    let first = suite == .main ? ConformanceCheckName.negotiationAccepts : ConformanceCheckName.negotiationRefuses
                    return [.fail(first, "the kit's child process (\(executable) \(Self.childArguments.joined(separator: " "))) reported nothing: "
                                  + ConformanceChildFailure.describe(child, hungSeconds: report.hung?.seconds, inSetup: false))]
                }
                blameLateCrash(child, on: &results)
                return results
            }
            if let setupFailure = report.setupFailure {
                results.append(.fail(missing[0], "not run: \(setupFailure)"))
                return results
            }
            let culprit = report.current ?? missing[0]
            let cause = ConformanceChildFailure.describe(child, hungSeconds: report.hung?.seconds,
                                                         inSetup: report.current == nil && report.hung?.check.isEmpty != false)
            let beforeInstance = plan.firstIndex(of: culprit).map { index in
                plan.firstIndex(of: ConformanceCheckName.create).map { index <= $0 } ?? true
            } ?? true
            results.append(.fail(culprit, cause + (beforeInstance && missing.count > 1 ? "; the checks after it were not run" : "")))
            done.insert(culprit)
            if beforeInstance { return results }
        }
        return results
    }

    /// The child died after its last result (in destroy's aftermath: an atexit handler or a static
    /// destructor of the plugin); that is destroy's failure.
    func blameLateCrash(_ child: ChildProcess.Outcome, on results: inout [ConformanceCheckResult]) {
        guard case .signaled = child.termination,
              let index = results.lastIndex(where: { $0.check == ConformanceCheckName.destroy && $0.passed }) else { return }
        results[index] = .fail(ConformanceCheckName.destroy,
                               "the process " + ConformanceChildFailure.describe(child, hungSeconds: nil, inSetup: false)
                                + " after destroy returned (an atexit handler or a static destructor of the plugin?)")
    }

    func spawn(_ suite: ConformanceSuite, path: String, config: JSONValue, stateDirectory: String,
               skip: Set<String>, expectedChecks: Int) -> ChildProcess.Outcome {
        var arguments = Self.childArguments + [
            path, "--suite", suite.rawValue, "--state-dir", stateDirectory,
            "--config-json", config.serialized(), "--timeout", String(timeoutSeconds),
        ]
        for check in skip.sorted() { arguments += ["--skip", check] }
        var environment = ChildProcess.currentEnvironment()
        // The runtime's backtracer would catch the plugin's crash and spend seconds symbolicating.
        environment["SWIFT_BACKTRACE"] = "enable=no"
        environment["PADDOCK_STATE_DIR"] = stateDirectory
        // The child's watchdog ends a hung check; this is only the backstop if it cannot.
        let backstop = timeoutSeconds * Double(expectedChecks + 5) + 30
        do {
            return try ChildProcess.run(executable, arguments: arguments, environment: environment, timeoutSeconds: backstop)
        } catch {
            return ChildProcess.Outcome(termination: .exited(127), stdout: [],
                                        stderr: Array("could not start \(executable): \(error)".utf8))
        }
    }
}
