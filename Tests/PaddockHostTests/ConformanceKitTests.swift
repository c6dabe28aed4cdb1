import Foundation
import PaddockPosix
import XCTest

/// `paddock plugin test` through the real binary: the shipped drivers pass every check, and each
/// broken fixture (Fixtures/nonconforming.c, one fault per -DFIXTURE_…) fails exactly the check
/// that covers its fault — also when the fault is a crash or a hang, after which the kit carries on.
final class ConformanceKitTests: XCTestCase {
    struct KitRun {
        var run: Harness.Run
        /// Check name → passed, in output order.
        var checks: [(name: String, passed: Bool, why: String)]
        var failed: [String: String] {
            Dictionary(uniqueKeysWithValues: checks.filter { !$0.passed }.map { ($0.name, $0.why) })
        }
        var names: [String] { checks.map(\.name) }
    }

    func kit(_ plugin: String, _ extra: [String] = [], stateDir: String, pluginPath: String? = nil) throws -> KitRun {
        let run = try Harness.paddock(["plugin", "test", plugin, "--format", "json"] + extra,
                                      pluginPath: pluginPath, stateDir: stateDir, timeout: 300)
        let report = try XCTUnwrap(run.json as? [String: Any], "no JSON report: \(run.stdout) \(run.stderr)")
        let checks = (report["checks"] as? [[String: Any]] ?? []).map {
            (name: $0["check"] as? String ?? "", passed: $0["ok"] as? Bool ?? false, why: $0["why"] as? String ?? "")
        }
        XCTAssertEqual(report["passed"] as? Int, checks.filter(\.passed).count)
        XCTAssertEqual(report["failed"] as? Int, checks.filter { !$0.passed }.count)
        return KitRun(run: run, checks: checks)
    }

    func fixture(_ variant: String?, in directory: String) throws -> String {
        let name = variant.map { $0.lowercased().replacingOccurrences(of: "_", with: "-") } ?? "conforming"
        return try Harness.compile(["\(Harness.fixturesDirectory)/nonconforming.c"],
                                   defines: (variant.map { ["FIXTURE_\($0)"] } ?? []) + ["FIXTURE_NAME=\"\(name)\""],
                                   output: "\(directory)/\(name).so", extraFlags: ["-Wall", "-Wextra", "-Werror"])
    }

    /// The kit fails exactly `expected` (check → a phrase its reason must contain), exits 1, and
    /// still runs and passes every other check.
    func assertKitFails(_ variant: String, exactly expected: [String: String], extra: [String] = [],
                        file: StaticString = #filePath, line: UInt = #line) throws -> KitRun {
        let temp = try temporaryDirectory()
        let result = try kit(try fixture(variant, in: temp.path), extra, stateDir: try temp.subdirectory("state"))
        XCTAssertEqual(result.run.status, .exited(1), result.run.stderr, file: file, line: line)
        XCTAssertEqual(Set(result.failed.keys), Set(expected.keys), "\(result.failed)", file: file, line: line)
        for (check, phrase) in expected {
            XCTAssertTrue(result.failed[check]?.contains(phrase) == true,
                          "\(check) should say \"\(phrase)\": \(result.failed[check] ?? "passed")", file: file, line: line)
        }
        XCTAssertEqual(result.checks.count, 33, "every check of a network plugin ran: \(result.names)", file: file, line: line)
        return result
    }

    // MARK: - Drivers that keep the contract

    func testTheSwiftHostLocalDriverPassesEveryCheck() throws {
        let temp = try temporaryDirectory()
        let config = "\(temp.path)/ipam.json"
        try Data(#"{"subnet": "198.18.20.0/24"}"#.utf8).write(to: URL(fileURLWithPath: config))
        let result = try kit(try Harness.swiftPlugin("HostLocal"), ["--config", config], stateDir: try temp.subdirectory("state"))
        XCTAssertEqual(result.run.status, .exited(0), "\(result.failed) \(result.run.stderr)")
        XCTAssertEqual(result.failed, [:])
        let operations = ["add", "del", "check", "status", "gc", "version"]
        let expected = ["negotiation.accepts-host-range", "negotiation.refuses-impossible-range", "manifest.matches-descriptor",
                        "table.plugin", "table.network", "create"]
            + operations.flatMap { op in ["valid-json", "invalid-json", "empty-payload", "non-object"].map { "network.\(op).\($0)" } }
            + ["network.del.idempotent", "thread-safety", "destroy"]
        XCTAssertEqual(result.names, expected)
    }

    func testTheCExampleDirvolPassesEveryCheckWithOneLinePerCheckAndASummary() throws {
        let temp = try temporaryDirectory()
        let example = "\(Harness.packageRoot)/examples/c-plugin"
        let plugin = try Harness.compile(["\(example)/dirvol.c", "\(example)/json_min.c"], output: "\(temp.path)/dirvol.so")
        let run = try Harness.paddock(["plugin", "test", plugin], pluginPath: nil, stateDir: try temp.subdirectory("state"), timeout: 300)
        XCTAssertEqual(run.status, .exited(0), run.stdout + run.stderr)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let checks = lines.dropLast()
        XCTAssertTrue(checks.allSatisfy { $0.hasPrefix("ok  ") }, run.stdout)
        XCTAssertEqual(lines.last, "\(checks.count) passed, 0 failed")
        for check in ["storage.create.empty-payload", "storage.remove.idempotent", "storage.unmount.idempotent", "thread-safety", "destroy"] {
            XCTAssertTrue(checks.contains("ok  \(check)"), "\(check) missing: \(run.stdout)")
        }
        XCTAssertFalse(run.stdout.contains("storage.attach."), "a NULL operation is not called")
    }

    func testAPluginThatIsNotThreadSafeIsSerializedByTheHostAndPasses() throws {
        let temp = try temporaryDirectory()
        let result = try kit(try fixture(nil, in: temp.path), stateDir: try temp.subdirectory("state"))
        XCTAssertEqual(result.run.status, .exited(0), "\(result.failed)")
        XCTAssertEqual(result.failed, [:])
        XCTAssertTrue(result.names.contains("thread-safety"))
    }

    // MARK: - Broken fixtures fail the check that covers their fault

    func testACrashOnAnEmptyPayloadFailsThatCheckAndTheKitCarriesOn() throws {
        let result = try assertKitFails("CRASH_ON_EMPTY", exactly: ["network.check.empty-payload": "crashed: killed by SIGSEGV"])
        let after = try XCTUnwrap(result.checks.first { $0.name == "network.check.non-object" })
        XCTAssertTrue(after.passed, "the check after the crash ran in a new child")
    }

    func testAHangFailsTheCheckItHappenedInWithinTheTimeout() throws {
        let started = ChildProcess.monotonicSeconds()
        _ = try assertKitFails("HANG_ON_TRUNCATED", exactly: ["network.check.invalid-json": "hung: no answer within 2 s"],
                               extra: ["--timeout", "2"])
        XCTAssertLessThan(ChildProcess.monotonicSeconds() - started, 60, "bounded by the timeout")
    }

    func testAnErrorWithoutADocumentFailsThePayloadChecksOfThatOperation() throws {
        _ = try assertKitFails("ERROR_WITHOUT_DOCUMENT", exactly: [
            "network.gc.invalid-json": "returned 6 (DECODE) without an error document",
            "network.gc.non-object": "returned 6 (DECODE) without an error document",
        ])
    }

    func testAMalformedErrorDocumentIsRefusedFieldByField() throws {
        let result = try assertKitFails("MALFORMED_DOCUMENT", exactly: [
            "network.version.invalid-json": #""code" is a string, not the number 6"#,
            "network.version.non-object": #""msg" is empty"#,
        ])
        XCTAssertTrue(result.failed["network.version.non-object"]?.contains(#""details" is missing"#) == true)
    }

    func testANetworkDelThatFailsTheSecondTimeFailsIdempotentTeardown() throws {
        _ = try assertKitFails("DEL_NOT_IDEMPOTENT", exactly: [
            "network.del.idempotent": "the second del answered status 3 (UNKNOWN_CONTAINER)",
        ])
    }

    func testAFalseThreadSafetyClaimFailsTheThreadSafetyCheck() throws {
        _ = try assertKitFails("FALSE_THREAD_SAFETY", exactly: [
            "thread-safety": "claims PADDOCK_PLUGIN_THREAD_SAFE but is not",
        ])
    }

    func testAcceptingAnImpossibleABIRangeFailsTheRefusalCheck() throws {
        _ = try assertKitFails("ACCEPTS_ANY_ABI", exactly: [
            "negotiation.refuses-impossible-range": "accepted the host range 2.0–2.0",
        ])
    }

    func testAManifestThatDisagreesWithThePluginTableFailsTheManifestCheck() throws {
        _ = try assertKitFails("WRONG_VERSION", exactly: [
            "manifest.matches-descriptor": #"version is "1.0.0" in the manifest but "9.9.9" in the plugin table"#,
        ])
    }

    // MARK: - What the kit is given

    func testAPluginNamedOnThePluginPathIsTestedAndRealStateIsNeverTouched() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let realState = try temp.subdirectory("state")
        _ = try fixture(nil, in: plugins)
        let result = try kit("conforming", stateDir: realState, pluginPath: plugins)
        XCTAssertEqual(result.run.status, .exited(0), "\(result.failed) \(result.run.stderr)")
        XCTAssertEqual(try FileSystem.list(realState), [], "$PADDOCK_STATE_DIR is left alone; a temp dir was used")
        let missing = try Harness.paddock(["plugin", "test", "no-such-plugin"], pluginPath: plugins, stateDir: realState)
        XCTAssertEqual(missing.status, .exited(1))
        XCTAssertTrue(missing.stderr.contains("no plugin named no-such-plugin"), missing.stderr)
        XCTAssertTrue(missing.stderr.contains("conforming"), "names the known plugins: \(missing.stderr)")
    }

    func testAnExplicitStateDirKeepsThePluginsStoreForInspection() throws {
        let temp = try temporaryDirectory()
        let scratch = "\(temp.path)/scratch"
        let config = "\(temp.path)/ipam.json"
        try Data(#"{"subnet": "198.18.21.0/24"}"#.utf8).write(to: URL(fileURLWithPath: config))
        let result = try kit(try Harness.swiftPlugin("HostLocal"), ["--config", config, "--state-dir", scratch],
                             stateDir: try temp.subdirectory("state"))
        XCTAssertEqual(result.run.status, .exited(0), "\(result.failed)")
        XCTAssertTrue(FileSystem.exists("\(scratch)/kv/host-local.json"), "the leases the kit made are in \(scratch)")
    }

    func testAConfigThatBreaksTheSchemaIsRefusedBeforeAnyCheckRuns() throws {
        let temp = try temporaryDirectory()
        let config = "\(temp.path)/ipam.json"
        try Data(#"{"subnet": "not-a-cidr"}"#.utf8).write(to: URL(fileURLWithPath: config))
        let run = try Harness.paddock(["plugin", "test", try Harness.swiftPlugin("HostLocal"), "--config", config],
                                      pluginPath: nil, stateDir: try temp.subdirectory("state"))
        XCTAssertEqual(run.status, .exited(1))
        XCTAssertTrue(run.stderr.contains("/subnet"), run.stderr)
        XCTAssertFalse(run.stdout.contains("passed"), "no check ran: \(run.stdout)")
    }
}
