import Glibc
import PaddockCore
import PaddockPosix

/// Which process of a kit run this is. Negotiation happens once per process by contract, so
/// offering the plugin an impossible ABI range needs a process of its own.
public enum ConformanceSuite: String, Sendable, CaseIterable {
    case main, refusal
}

public struct ConformanceAgentOptions: Sendable {
    public var path: String
    public var suite: ConformanceSuite
    public var stateDirectory: String
    public var config: JSONValue
    public var timeoutSeconds: Double
    /// Checks an earlier child already reported (or died in): set up past them, don't run them.
    public var skip: Set<String>

    public init(path: String, suite: ConformanceSuite, stateDirectory: String, config: JSONValue,
                timeoutSeconds: Double, skip: Set<String>) {
        self.path = path
        self.suite = suite
        self.stateDirectory = stateDirectory
        self.config = config
        self.timeoutSeconds = timeoutSeconds
        self.skip = skip
    }
}

/// The child side of `paddock plugin test` (`paddock plugin __conform`): loads the plugin in this
/// process, runs checks in order and reports each on the wire as it finishes. If the plugin
/// crashes or hangs, the parent blames the check that had begun and starts a new child for the rest.
public enum ConformanceAgent {
    public static func run(_ options: ConformanceAgentOptions) -> Int32 {
        // Reports get the real stdout; whatever the plugin prints goes to stderr.
        let reportFD = dup(1)
        dup2(2, 1)
        let session = ConformanceSession(options: options, reporter: ConformanceReporter(fd: reportFD),
                                         watchdog: ConformanceWatchdog(fd: reportFD))
        switch options.suite {
        case .main: return session.runMain()
        case .refusal: return session.runRefusal()
        }
    }
}
