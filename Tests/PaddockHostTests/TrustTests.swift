import Foundation
import Glibc
import PaddockPosix
import XCTest

/// Files and directories anyone else could have swapped are refused, naming the path and the fix.
final class TrustTests: XCTestCase {
    func rows(_ plugins: String, _ state: String) throws -> [[String: Any]] {
        let run = try Harness.paddock(["plugin", "list", "--format", "json"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(run.status, .exited(0), run.stderr)
        return try XCTUnwrap(run.json as? [[String: Any]])
    }

    func testWritableByOthersOrOwnedByAnotherUserIsRefused() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        let good = try Harness.fixture("GOOD", name: "good", into: plugins)
        let world = try Harness.fixture("GOOD", name: "world", into: plugins, file: "world.so")
        let group = try Harness.fixture("GOOD", name: "group", into: plugins, file: "group.so")
        chmod(world, 0o757)
        chmod(group, 0o775)
        var foreign: String?
        if getuid() == 0 {
            foreign = try Harness.fixture("GOOD", name: "foreign", into: plugins, file: "foreign.so")
            XCTAssertEqual(chown(foreign!, 12345, 12345), 0)
        } else {
            print("TrustTests: not root, so the other-owner case cannot be made (chown needs root); skipped that case")
        }
        let list = try rows(plugins, state)
        func row(_ path: String) -> [String: Any]? { list.first { ($0["path"] as? String) == path } }
        XCTAssertEqual(row(good)?["status"] as? String, "disabled")
        XCTAssertEqual(row(world)?["status"] as? String, "error")
        XCTAssertTrue((row(world)?["reason"] as? String ?? "").contains("world-writable"), "\(row(world) ?? [:])")
        XCTAssertTrue((row(world)?["reason"] as? String ?? "").contains("chmod go-w \(world)"))
        XCTAssertEqual(row(world)?["name"] as? String, "world", "the row still carries the manifest's name")
        XCTAssertTrue((row(group)?["reason"] as? String ?? "").contains("group-writable"))
        if let foreign {
            XCTAssertEqual(row(foreign)?["status"] as? String, "error")
            XCTAssertTrue((row(foreign)?["reason"] as? String ?? "").contains("owned by uid 12345"), "\(row(foreign) ?? [:])")
        }
        // Enabling an untrusted plugin is refused without loading it.
        let enable = try Harness.paddock(["plugin", "enable", "world"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(enable.status, .exited(1))
        XCTAssertTrue(enable.stderr.contains("world-writable"), enable.stderr)
    }

    func testAWorldWritableDirectoryTaintsEveryFileInIt() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        try Harness.fixture("GOOD", name: "good", into: plugins)
        chmod(plugins, 0o777)
        let list = try rows(plugins, state)
        XCTAssertEqual(list.count, 1)
        XCTAssertEqual(list.first?["status"] as? String, "error")
        XCTAssertTrue((list.first?["reason"] as? String ?? "").contains("plugin directory \(plugins): world-writable"), "\(list)")
    }
}
