import Foundation
import PaddockHost
import PaddockPosix
import XCTest

/// enable / disable / install / remove through the real binary, and the state they leave.
final class PluginLifecycleTests: XCTestCase {
    func testConfigThatFailsTheSchemaIsRefusedWithEveryViolationAndNothingRecorded() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        try Harness.fixture("GOOD", name: "good", into: plugins)
        let bad = "\(temp.path)/bad.json"
        try Data(#"{"size": 0, "colour": "red"}"#.utf8).write(to: URL(fileURLWithPath: bad))
        let run = try Harness.paddock(["plugin", "enable", "good", "--config", bad], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(run.status, .exited(1))
        XCTAssertTrue(run.stderr.contains("/size: must be >= 1"), run.stderr)
        XCTAssertTrue(run.stderr.contains("colour"), run.stderr)
        XCTAssertTrue(run.stderr.contains(bad), run.stderr)
        XCTAssertFalse(FileSystem.exists("\(state)/state.json"), "a refused enable writes no state")

        // No config at all fails the schema's "required" and says how to pass one.
        let none = try Harness.paddock(["plugin", "enable", "good"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(none.status, .exited(1))
        XCTAssertTrue(none.stderr.contains("missing required property \"size\""), none.stderr)

        let notJSON = "\(temp.path)/notjson.json"
        try Data("size = 1".utf8).write(to: URL(fileURLWithPath: notJSON))
        let broken = try Harness.paddock(["plugin", "enable", "good", "--config", notJSON], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(broken.status, .exited(1))
        XCTAssertTrue(broken.stderr.contains("is not JSON"), broken.stderr)
    }

    func testEnableDisableRoundTripAndDisableRefusedWhileInUse() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        try Harness.fixture("GOOD", name: "good", into: plugins)
        let config = "\(temp.path)/ok.json"
        try Data(#"{"size": 3}"#.utf8).write(to: URL(fileURLWithPath: config))
        let enable = try Harness.paddock(["plugin", "enable", "good", "--config", config, "--format", "json"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(enable.status, .exited(0), enable.stderr)
        XCTAssertEqual((enable.json as? [String: Any])?["enabled"] as? String, "good")
        XCTAssertEqual(try status(of: "good", plugins, state), "enabled")
        // Enable configs may carry credentials (the EBS driver's secret_access_key): owner only.
        XCTAssertEqual(try FileSystem.status("\(state)/state.json").mode, 0o600)

        // Something starts to use it: disable is refused, naming the user; --force overrides.
        let catalog = PluginCatalog(configuration: HostConfiguration(
            pluginPath: [plugins], stateDirectory: state, executable: Harness.paddock))
        try catalog.acquire("good", user: "volume:data")
        let refused = try Harness.paddock(["plugin", "disable", "good"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(refused.status, .exited(1))
        XCTAssertTrue(refused.stderr.contains("in use by volume:data"), refused.stderr)
        XCTAssertEqual(try status(of: "good", plugins, state), "enabled")
        let forced = try Harness.paddock(["plugin", "disable", "good", "--force"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(forced.status, .exited(0), forced.stderr)
        XCTAssertEqual(try status(of: "good", plugins, state), "disabled")

        // The recorded config survives in the state file for the next enable.
        let recorded = try catalog.state.read().plugins["good"]
        XCTAssertEqual(recorded?.config["size"]?.intValue, 3)
        XCTAssertEqual(recorded?.enabled, false)

        let again = try Harness.paddock(["plugin", "disable", "good"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(again.status, .exited(1))
        XCTAssertTrue(again.stderr.contains("not enabled"), again.stderr)
    }

    func testInstallCopiesAtomicallyIntoTheFirstWritableDirectoryAndRemoveDeletes() throws {
        let temp = try temporaryDirectory()
        let target = try temp.subdirectory("target")
        let second = try temp.subdirectory("second")
        let state = try temp.subdirectory("state")
        let staging = try temp.subdirectory("staging")
        let source = try Harness.fixture("GOOD", name: "fresh", into: staging, file: "libfresh.so")
        let install = try Harness.paddock(["plugin", "install", source], pluginPath: "\(target):\(second)", stateDir: state)
        XCTAssertEqual(install.status, .exited(0), install.stderr)
        XCTAssertEqual(install.stdout, "Installed \(target)/libfresh.so.\n")
        XCTAssertEqual(try FileSystem.read("\(target)/libfresh.so"), try FileSystem.read(source))
        XCTAssertEqual(try FileSystem.list(second), [])
        let leftovers = try FileSystem.list(target).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "no temp files left behind")
        XCTAssertEqual(try FileSystem.status("\(target)/libfresh.so").mode, 0o755)

        let twice = try Harness.paddock(["plugin", "install", source], pluginPath: target, stateDir: state)
        XCTAssertEqual(twice.status, .exited(1))
        XCTAssertTrue(twice.stderr.contains("already installed"), twice.stderr)

        // Broken files are refused before anything is copied.
        let crashy = try Harness.fixture("SEGV_ENTRY", name: "crashy", into: staging)
        let refused = try Harness.paddock(["plugin", "install", crashy, "--probe-timeout", "5"], pluginPath: target, stateDir: state)
        XCTAssertEqual(refused.status, .exited(1))
        XCTAssertTrue(refused.stderr.contains("SIGSEGV"), refused.stderr)
        XCTAssertFalse(FileSystem.exists("\(target)/segv_entry.so"))
        _ = FileManager.default.createFile(atPath: "\(staging)/junk.so", contents: Data("junk".utf8))
        let junk = try Harness.paddock(["plugin", "install", "\(staging)/junk.so"], pluginPath: target, stateDir: state)
        XCTAssertEqual(junk.status, .exited(1))
        XCTAssertTrue(junk.stderr.contains("not an installable plugin"), junk.stderr)

        // remove: refused while enabled, then deletes the file and the record.
        let config = "\(temp.path)/ok.json"
        try Data(#"{"size": 1}"#.utf8).write(to: URL(fileURLWithPath: config))
        XCTAssertEqual(try Harness.paddock(["plugin", "enable", "fresh", "--config", config], pluginPath: target, stateDir: state).status, .exited(0))
        let busy = try Harness.paddock(["plugin", "remove", "fresh"], pluginPath: target, stateDir: state)
        XCTAssertEqual(busy.status, .exited(1))
        XCTAssertTrue(busy.stderr.contains("disable fresh"), busy.stderr)
        XCTAssertEqual(try Harness.paddock(["plugin", "disable", "fresh"], pluginPath: target, stateDir: state).status, .exited(0))
        let removed = try Harness.paddock(["plugin", "remove", "fresh"], pluginPath: target, stateDir: state)
        XCTAssertEqual(removed.status, .exited(0), removed.stderr)
        XCTAssertFalse(FileSystem.exists("\(target)/libfresh.so"))
        let unknown = try Harness.paddock(["plugin", "remove", "fresh"], pluginPath: target, stateDir: state)
        XCTAssertEqual(unknown.status, .exited(1))
        XCTAssertTrue(unknown.stderr.contains("no plugin named fresh"), unknown.stderr)
    }

    func testWithoutAPluginPathInstallCreatesTheUserDirectory() throws {
        let temp = try temporaryDirectory()
        let state = try temp.subdirectory("state")
        let staging = try temp.subdirectory("staging")
        let source = try Harness.fixture("GOOD", name: "homed", into: staging)
        // The harness points HOME at state/home: ~/.local/lib/paddock/plugins does not exist yet.
        let userDirectory = "\(state)/home/.local/lib/paddock/plugins"
        let install = try Harness.paddock(["plugin", "install", source], pluginPath: nil, stateDir: state)
        XCTAssertEqual(install.status, .exited(0), install.stderr)
        XCTAssertTrue(FileSystem.exists("\(userDirectory)/good.so"), install.stdout)
        let list = try Harness.paddock(["plugin", "list", "--format", "json"], pluginPath: nil, stateDir: state)
        XCTAssertTrue((list.json as? [[String: Any]] ?? []).contains { ($0["path"] as? String) == "\(userDirectory)/good.so" })
    }

    func testAnEnabledPluginWhoseFileVanishedIsListedAsAnError() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        let file = try Harness.fixture("GOOD", name: "good", into: plugins)
        let config = "\(temp.path)/ok.json"
        try Data(#"{"size": 1}"#.utf8).write(to: URL(fileURLWithPath: config))
        XCTAssertEqual(try Harness.paddock(["plugin", "enable", "good", "--config", config], pluginPath: plugins, stateDir: state).status, .exited(0))
        unlink(file)
        let list = try Harness.paddock(["plugin", "list", "--format", "json"], pluginPath: plugins, stateDir: state)
        let rows = try XCTUnwrap(list.json as? [[String: Any]])
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows.first?["status"] as? String, "error")
        XCTAssertTrue((rows.first?["reason"] as? String ?? "").contains("no longer on the plugin path"))
    }

    func testACorruptStateFileIsReportedAndNeverOverwritten() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        try Harness.fixture("GOOD", name: "good", into: plugins)
        let garbage = Data("{\"version\": 1, \"plugins\": {".utf8)
        try garbage.write(to: URL(fileURLWithPath: "\(state)/state.json"))
        let config = "\(temp.path)/ok.json"
        try Data(#"{"size": 1}"#.utf8).write(to: URL(fileURLWithPath: config))
        let run = try Harness.paddock(["plugin", "enable", "good", "--config", config], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(run.status, .exited(1))
        XCTAssertTrue(run.stderr.contains("\(state)/state.json"), run.stderr)
        XCTAssertTrue(run.stderr.contains("nothing was changed"), run.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(state)/state.json")), garbage)
    }

    func status(of name: String, _ plugins: String, _ state: String) throws -> String? {
        let list = try Harness.paddock(["plugin", "list", "--format", "json"], pluginPath: plugins, stateDir: state)
        return (list.json as? [[String: Any]])?.first { ($0["name"] as? String) == name }?["status"] as? String
    }
}
