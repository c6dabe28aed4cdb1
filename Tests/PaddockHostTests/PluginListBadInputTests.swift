import Foundation
import PaddockPosix
import XCTest

/// `paddock plugin list` over every kind of broken file: each is reported with its path and the
/// reason, none hides the others, the good plugin still lists, and the command exits 0.
final class PluginListBadInputTests: XCTestCase {
    func listRows(_ plugins: String, _ state: String) throws -> [[String: Any]] {
        let run = try Harness.paddock(["plugin", "list", "--format", "json"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(run.status, .exited(0), run.stderr)
        return try XCTUnwrap(run.json as? [[String: Any]], "not a JSON array: \(run.stdout)")
    }

    func testEveryBrokenFileIsReportedAndNoneHidesTheGoodOne() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        let good = try Harness.fixture("GOOD", name: "good", into: plugins)

        // Empty file, random bytes, truncated ELF, ELF for another machine.
        _ = FileManager.default.createFile(atPath: "\(plugins)/empty.so", contents: Data())
        var generator = SystemRandomNumberGenerator()
        _ = FileManager.default.createFile(atPath: "\(plugins)/random.so",
                                       contents: Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }))
        let goodBytes = try FileSystem.read(good)
        _ = FileManager.default.createFile(atPath: "\(plugins)/truncated.so", contents: Data(goodBytes.prefix(goodBytes.count / 3)))
        var foreign = goodBytes
        foreign[18] = 183; foreign[19] = 0  // e_machine = AArch64
        _ = FileManager.default.createFile(atPath: "\(plugins)/aarch64.so", contents: Data(foreign))
        // Manifest missing, not JSON, wrong ABI major; no entry symbol.
        try Harness.fixture("NO_MANIFEST", into: plugins)
        try Harness.fixture("BAD_JSON", into: plugins)
        try Harness.fixture("WRONG_ABI", into: plugins)
        try Harness.fixture("NO_ENTRY", name: "noentry", into: plugins)
        // Two files claiming one name; a symlink loop; a dangling link; a directory named .so.
        try Harness.fixture("GOOD", name: "twin", into: plugins, file: "twin-a.so")
        try Harness.fixture("GOOD", name: "twin", into: plugins, file: "twin-b.so")
        symlink("\(plugins)/loop.so", "\(plugins)/loop.so")
        symlink("\(plugins)/missing-target", "\(plugins)/dangling.so")
        mkdir("\(plugins)/dir.so", 0o755)
        // A file that is not a plugin at all by name is ignored.
        _ = FileManager.default.createFile(atPath: "\(plugins)/README.txt", contents: Data("hi".utf8))

        let rows = try listRows(plugins, state)
        func row(_ file: String) throws -> [String: Any] {
            try XCTUnwrap(rows.first { ($0["path"] as? String) == "\(plugins)/\(file)" }, "no row for \(file): \(rows)")
        }
        for key in ["name", "kinds", "version", "abi", "status", "reason", "path"] {
            XCTAssertTrue(rows.allSatisfy { $0[key] != nil }, "every row has \(key)")
        }
        XCTAssertEqual(rows.count, 14, "one row per .so: \(rows.map { $0["path"]! })")
        XCTAssertEqual(try row("good.so")["status"] as? String, "disabled")
        XCTAssertEqual(try row("good.so")["name"] as? String, "good")
        XCTAssertEqual(try row("good.so")["kinds"] as? [String], ["storage"])
        XCTAssertFalse(rows.contains { ($0["path"] as? String)?.hasSuffix("README.txt") == true })

        let expectations: [(String, String, String)] = [
            ("empty.so", "error", "empty"),
            ("random.so", "error", "not an ELF file"),
            ("truncated.so", "error", "truncated"),
            ("aarch64.so", "skipped", "AArch64"),
            ("no_manifest.so", "error", "no paddock_manifest section"),
            ("bad_json.so", "error", "not JSON"),
            ("wrong_abi.so", "error", "ABI 2.0"),
            ("no_entry.so", "error", "paddock_plugin_entry"),
            ("twin-a.so", "error", "duplicate name \"twin\""),
            ("twin-b.so", "error", "twin-a.so"),
            ("loop.so", "error", "symlink loop"),
            ("dangling.so", "error", "dangling symlink"),
            ("dir.so", "error", "not a regular file"),
        ]
        for (file, status, reason) in expectations {
            let found = try row(file)
            XCTAssertEqual(found["status"] as? String, status, "\(file): \(found)")
            XCTAssertTrue((found["reason"] as? String ?? "").contains(reason), "\(file) reason: \(found["reason"] ?? "")")
        }

        // The table for people carries the same facts, with the reasons under it.
        let table = try Harness.paddock(["plugin", "list"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(table.status, .exited(0))
        XCTAssertTrue(table.stdout.hasPrefix("NAME"), table.stdout)
        XCTAssertTrue(table.stdout.contains("\(plugins)/random.so"), table.stdout)
        XCTAssertTrue(table.stdout.contains("symlink loop"), table.stdout)
    }

    func testAnUnreadableFileIsAnErrorNamingTheFix() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        try Harness.fixture("GOOD", name: "good", into: plugins)
        let secret = try Harness.fixture("GOOD", name: "secret", into: plugins, file: "secret.so")
        chmod(secret, 0o000)
        var arguments = ["plugin", "list", "--format", "json"]
        var command = Harness.paddock
        // root reads any file: run the check as an unprivileged user so the permission bites.
        if getuid() == 0 {
            chmod(temp.path, 0o755); chmod(state, 0o777)
            arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", Harness.paddock] + arguments
            command = "/usr/bin/setpriv"
        }
        var env = ChildProcess.currentEnvironment()
        env["PADDOCK_PLUGIN_PATH"] = plugins
        env["PADDOCK_STATE_DIR"] = state
        env["HOME"] = state
        let outcome = try ChildProcess.run(command, arguments: arguments, environment: env, timeoutSeconds: 60)
        XCTAssertEqual(outcome.termination, .exited(0), String(decoding: outcome.stderr, as: UTF8.self))
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(outcome.stdout)) as? [[String: Any]])
        let row = try XCTUnwrap(rows.first { ($0["path"] as? String) == secret })
        XCTAssertEqual(row["status"] as? String, "error")
        XCTAssertTrue((row["reason"] as? String ?? "").contains("permission denied"), "\(row)")
        XCTAssertTrue(rows.contains { ($0["name"] as? String) == "good" && ($0["status"] as? String) == "disabled" })
    }

    func testAnUnusablePluginDirectoryIsTheOnlyFailure() throws {
        let temp = try temporaryDirectory()
        let state = try temp.subdirectory("state")
        let run = try Harness.paddock(["plugin", "list"], pluginPath: "\(temp.path)/does-not-exist", stateDir: state)
        XCTAssertEqual(run.status, .exited(2))
        XCTAssertTrue(run.stderr.contains("does-not-exist"), run.stderr)
        XCTAssertTrue(run.stderr.contains("hint:"), run.stderr)
    }

    func testAnEmptyPathListsNothingAndSaysWhereItLooked() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        let run = try Harness.paddock(["plugin", "list"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(run.status, .exited(0))
        XCTAssertTrue(run.stdout.contains("No plugins found"), run.stdout)
        XCTAssertTrue(run.stdout.contains(plugins), run.stdout)
        let json = try Harness.paddock(["plugin", "list", "--format", "json"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual((json.json as? [Any])?.count, 0)
    }
}
