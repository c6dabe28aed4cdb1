import Foundation
import PaddockPosix
import XCTest

/// `paddock volume …` end to end through the built binary and dirvol.
final class VolumeCommandTests: XCTestCase {
    func testCreateMountListInspectUnmountDeleteInTablesAndJSON() throws {
        let fixture = try DirvolFixture(self, label: "pdvcmd")
        let created = try fixture.paddock(["volume", "create", "data", "--format", "json"])
        XCTAssertEqual(created.status, .exited(0), created.stderr)
        XCTAssertEqual((created.json as? [String: Any])?["driver"] as? String, "dirvol", "the only enabled storage driver is the default")
        XCTAssertTrue(FileSystem.exists("\(fixture.volumes)/data"))
        XCTAssertEqual(try fixture.paddock(["volume", "create", "data", "--driver", "dirvol"]).status, .exited(0), "create again is a no-op")

        let mounted = try fixture.paddock(["volume", "mount", "data", "--id", "c1"])
        XCTAssertEqual(mounted.stdout, "\(fixture.volumes)/data\n")
        XCTAssertEqual(try fixture.paddock(["volume", "mount", "data", "--id", "c2"]).status, .exited(0))

        let table = try fixture.paddock(["volume", "list"])
        let lines = table.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first?.split(separator: " ", omittingEmptySubsequences: true).map(String.init),
                       ["NAME", "DRIVER", "MOUNTS", "MOUNTPOINT", "CREATED"])
        XCTAssertTrue(lines.contains { $0.hasPrefix("data") && $0.contains("dirvol") && $0.contains(" 2 ") }, table.stdout)

        let inspect = try fixture.paddock(["volume", "inspect", "data", "--format", "json"])
        let object = try XCTUnwrap(inspect.json as? [String: Any])
        XCTAssertEqual((object["mounts"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, ["c1", "c2"])
        XCTAssertEqual((object["status"] as? [String: Any])?["mounts"] as? Int, 2, "the driver's own count agrees")
        XCTAssertTrue(try fixture.paddock(["volume", "inspect", "data"]).stdout.contains("mount c1"))

        let busy = try fixture.paddock(["volume", "delete", "data"])
        XCTAssertEqual(busy.status, .exited(1))
        XCTAssertTrue(busy.stderr.contains("is mounted by c1, c2"), busy.stderr)
        for id in ["c1", "c2", "c2"] {
            XCTAssertEqual(try fixture.paddock(["volume", "unmount", "data", "--id", id]).status, .exited(0))
        }
        let deleted = try fixture.paddock(["volume", "delete", "data", "--format", "json"])
        XCTAssertEqual((deleted.json as? [String: Any])?["removed"] as? String, "data", deleted.stderr)
        XCTAssertFalse(FileSystem.exists("\(fixture.volumes)/data"))
        let empty = try fixture.paddock(["volume", "list", "--format", "json"])
        XCTAssertEqual(((empty.json as? [String: Any])?["volumes"] as? [Any])?.count, 0, empty.stdout)
    }

    func testBadNamesAndUnknownOptionsAreRefusedAndChangeNothing() throws {
        let fixture = try DirvolFixture(self, label: "pdvbad")
        let cases: [([String], String)] = [
            (["volume", "create", "a/b"], "contains '/'"), (["volume", "create", ".."], "not allowed"),
            (["volume", "create", String(repeating: "x", count: 256)], "over 255"),
            (["volume", "create", "ok", "-o", "size=1", "-o", "zone=a"], "does not know the options size, zone"),
            (["volume", "create", "ok", "-o", "novalue"], "not key=value"),
            (["volume", "mount", "missing"], "has no volume missing"),
            (["volume", "create", "ok", "--driver", "nosuch"], "nosuch"),
        ]
        for (arguments, fragment) in cases {
            let run = try fixture.paddock(arguments)
            XCTAssertEqual(run.status, .exited(1), arguments.joined(separator: " "))
            XCTAssertTrue(run.stderr.contains(fragment), "\(run.stderr) lacks \(fragment)")
        }
        XCTAssertEqual(try FileSystem.list(fixture.volumes), [])
        XCTAssertEqual(try fixture.paddock(["volume", "create", "ok"]).status, .exited(0))
        let conflict = try fixture.paddock(["volume", "create", "ok", "--driver", "dirvol", "-o", "x=1"])
        XCTAssertEqual(conflict.status, .exited(1), "an option dirvol does not declare is refused before the existing record is compared")
    }

    func testADamagedRecordIsReportedWhileTheOtherVolumesStillWork() throws {
        let fixture = try DirvolFixture(self, label: "pdvcorrupt")
        for name in ["good", "bad"] { XCTAssertEqual(try fixture.paddock(["volume", "create", name]).status, .exited(0)) }
        let records = "\(fixture.state)/volumes/dirvol"
        let files = try FileSystem.list(records).filter { $0.hasSuffix(".json") }
        XCTAssertEqual(files.count, 2)
        var damaged = ""
        for file in files where (try? String(contentsOfFile: "\(records)/\(file)", encoding: .utf8))?.contains("\"bad\"") == true {
            damaged = "\(records)/\(file)"
            try Data("{\"name\": \"bad\", \"mounts\": [".utf8).write(to: URL(fileURLWithPath: damaged))
        }
        XCTAssertFalse(damaged.isEmpty)

        let list = try fixture.paddock(["volume", "list", "--format", "json"])
        XCTAssertEqual(list.status, .exited(1), "a damaged record makes list exit 1")
        XCTAssertTrue(list.stderr.contains(damaged), list.stderr)
        let object = try XCTUnwrap(list.json as? [String: Any], list.stdout)
        XCTAssertEqual((object["volumes"] as? [[String: Any]])?.compactMap { $0["name"] as? String }, ["good"])
        let problem = try XCTUnwrap((object["problems"] as? [[String: Any]])?.first)
        XCTAssertEqual(problem["file"] as? String, damaged)
        XCTAssertEqual(problem["name"] as? String, "bad", "the driver's listing names the damaged volume")

        let inspectBad = try fixture.paddock(["volume", "inspect", "bad"])
        XCTAssertEqual(inspectBad.status, .exited(1))
        XCTAssertTrue(inspectBad.stderr.contains("damaged") && inspectBad.stderr.contains(damaged), inspectBad.stderr)
        XCTAssertEqual(try fixture.paddock(["volume", "mount", "good", "--id", "x"]).status, .exited(0), "the other volume is unaffected")
        XCTAssertEqual(try fixture.paddock(["volume", "unmount", "good", "--id", "x"]).status, .exited(0))
    }

    func testHelpDescribesTheCommands() throws {
        let fixture = try DirvolFixture(self, label: "pdvhelp")
        for (arguments, fragment) in [(["volume", "--help"], "create"), (["flexvolume", "--help"], "mountdevice <dir> <device> <json>"),
                                      (["volume-plugin", "serve", "--help"], "/VolumeDriver.Create")] {
            let run = try fixture.paddock(arguments)
            XCTAssertEqual(run.status, .exited(0))
            let flowed = run.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            XCTAssertTrue(flowed.contains(fragment), "\(arguments) help lacks \(fragment)")
        }
    }
}
