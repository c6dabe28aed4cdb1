import Foundation
import PaddockPosix

/// Words for how a conformance child ended early: the signal, the hang or the exit, with the
/// last lines it wrote to stderr (a Swift plugin's "Fatal error: …", a C plugin's own message).
enum ConformanceChildFailure {
    static func describe(_ child: ChildProcess.Outcome, hungSeconds: Double?, inSetup: Bool) -> String {
        let prefix = inSetup ? "while the kit re-loaded the plugin to run it, " : ""
        let what: String
        if let hungSeconds {
            what = "hung: no answer within \(format(hungSeconds)) s"
        } else {
            switch child.termination {
            case .signaled(let signal): what = "crashed: killed by \(ChildProcess.signalName(signal))"
            case .timedOut(let seconds): what = "hung: the process did not finish within \(format(seconds)) s"
            case .exited(let code):
                what = "the process exited with status \(code) during the check (does the plugin call exit()?)"
            }
        }
        return prefix + what + stderrTail(child.stderr)
    }

    static func stderrTail(_ stderr: [UInt8]) -> String {
        let lines = String(decoding: stderr.suffix(2048), as: UTF8.self)
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !lines.isEmpty else { return "" }
        return " (stderr: \(lines.suffix(3).joined(separator: " | ").prefix(400)))"
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
