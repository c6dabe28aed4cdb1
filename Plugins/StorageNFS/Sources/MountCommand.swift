import PaddockPluginKit
import PaddockPosix

/// mount(8), the userspace mount helper and fusermount3, run to completion with a bound on their
/// run time. Output goes to a file, not a pipe: the helper returns once its mount is in place and
/// leaves its FUSE daemon behind (in our process group, as any plain subprocess).
enum MountCommand {
    struct Outcome {
        /// The exit code, or nil when killed by a signal or at the timeout.
        var code: Int32?
        var timedOut: Bool
        var output: String
    }

    static func run(_ executable: String, _ arguments: [String], outputFile: String, timeoutSeconds: Double) throws(DriverError) -> Outcome {
        let outcome: ChildProcess.Outcome
        do {
            outcome = try ChildProcess.run(executable, arguments: arguments, output: .init(outputFile),
                                           grouping: .inherited, timeoutSeconds: timeoutSeconds)
        } catch {
            throw Files.failure(error.call, error.path ?? executable, code: error.errno)
        }
        let output = String(decoding: outcome.stdout, as: UTF8.self)
        switch outcome.termination {
        case .exited(let code): return Outcome(code: code, timedOut: false, output: output)
        case .signaled: return Outcome(code: nil, timedOut: false, output: output)
        case .timedOut: return Outcome(code: nil, timedOut: true, output: output)
        }
    }
}
