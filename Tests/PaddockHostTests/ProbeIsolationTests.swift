import Foundation
import PaddockPosix
import XCTest

/// Probing runs in a child process: a plugin that crashes, aborts, exits or hangs while loading is
/// reported with the signal, the exit or the timeout, recorded, and the host carries on.
final class ProbeIsolationTests: XCTestCase {
    struct Case {
        var variant: String
        var reason: String
    }

    let cases: [Case] = [
        Case(variant: "SEGV_CONSTRUCTOR", reason: "killed by SIGSEGV"),
        Case(variant: "SEGV_ENTRY", reason: "killed by SIGSEGV"),
        Case(variant: "ABORT", reason: "killed by SIGABRT"),
        Case(variant: "EXIT_CONSTRUCTOR", reason: "called exit()"),
        Case(variant: "HANG_CONSTRUCTOR", reason: "timed out after 2 s"),
        Case(variant: "HANG_ENTRY", reason: "timed out after 2 s"),
        Case(variant: "NULL_TABLE", reason: "NULL plugin table"),
        Case(variant: "REFUSE", reason: "needs ABI 7.x, the host offers 1.0-1.0"),
        Case(variant: "CHOOSE_WRONG_ABI", reason: "chose ABI 9.0"),
        Case(variant: "DISAGREE", reason: "manifest disagrees with the descriptor"),
    ]

    func testEachLoadFailureIsReportedAndRecordedWhileTheHostCarriesOn() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        try Harness.fixture("GOOD", name: "good", into: plugins)
        for item in cases {
            let name = item.variant == "DISAGREE" ? "disagree" : item.variant.lowercased().replacingOccurrences(of: "_", with: "-")
            try Harness.fixture(item.variant, name: item.variant == "DISAGREE" ? nil : name, into: plugins)
        }
        for item in cases {
            let name = item.variant == "DISAGREE" ? "disagree" : item.variant.lowercased().replacingOccurrences(of: "_", with: "-")
            let started = ChildProcess.monotonicSeconds()
            let run = try Harness.paddock(["plugin", "enable", name, "--probe-timeout", "2", "--config", try config(temp)],
                                          pluginPath: plugins, stateDir: state)
            XCTAssertEqual(run.status, .exited(1), "\(name): \(run.stdout) \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(item.reason), "\(name): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains("\(plugins)/"), "names the file: \(run.stderr)")
            XCTAssertLessThan(ChildProcess.monotonicSeconds() - started, 30, "bounded")
        }
        // Every failure stays visible in the list with its reason; the good plugin still enables.
        let enabled = try Harness.paddock(["plugin", "enable", "good", "--config", try config(temp)], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(enabled.status, .exited(0), enabled.stderr)
        let list = try Harness.paddock(["plugin", "list", "--format", "json"], pluginPath: plugins, stateDir: state)
        let rows = try XCTUnwrap(list.json as? [[String: Any]])
        for item in cases where item.variant != "DISAGREE" {
            let name = item.variant.lowercased().replacingOccurrences(of: "_", with: "-")
            let row = try XCTUnwrap(rows.first { ($0["name"] as? String) == name }, name)
            XCTAssertEqual(row["status"] as? String, "error", "\(name): \(row)")
            XCTAssertTrue((row["reason"] as? String ?? "").contains(item.reason), "\(name): \(row)")
        }
        XCTAssertEqual(rows.first { ($0["name"] as? String) == "good" }?["status"] as? String, "enabled")
    }

    func testInspectProbeReportsNegotiationAndOperations() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        try Harness.fixture("GOOD", name: "good", into: plugins)
        let run = try Harness.paddock(["plugin", "inspect", "good", "--probe", "--format", "json"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(run.status, .exited(0), run.stderr)
        let report = try XCTUnwrap(run.json as? [String: Any])
        let probe = try XCTUnwrap(report["probe"] as? [String: Any])
        XCTAssertEqual(probe["ok"] as? Bool, true)
        let plugin = try XCTUnwrap(probe["plugin"] as? [String: Any])
        XCTAssertEqual(plugin["abi"] as? String, "1.0")
        // In table order, only the operations whose pointers are set.
        XCTAssertEqual((plugin["operations"] as? [String: [String]])?["storage"], ["remove", "path", "get", "list"])
        let manifest = try XCTUnwrap(report["manifest"] as? [String: Any])
        XCTAssertNotNil(manifest["config_schema"])
        let build = try XCTUnwrap(report["build"] as? [String: String])
        XCTAssertEqual(build["paddock-abi"], "1.0")
        XCTAssertNotNil(build["compiler"])

        let crash = try Harness.fixture("SEGV_ENTRY", name: "crashy", into: plugins)
        let human = try Harness.paddock(["plugin", "inspect", "crashy", "--probe"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(human.status, .exited(1))
        XCTAssertTrue(human.stdout.contains("FAILED"), human.stdout)
        XCTAssertTrue(human.stdout.contains("SIGSEGV"), human.stdout)
        XCTAssertTrue(human.stdout.contains(crash), human.stdout)
    }

    func config(_ temp: TemporaryDirectory) throws -> String {
        let path = "\(temp.path)/config.json"
        try Data(#"{"size": 1}"#.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}
