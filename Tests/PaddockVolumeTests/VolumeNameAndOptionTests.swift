import PaddockJSON
import PaddockVolume
import XCTest

final class VolumeNameAndOptionTests: XCTestCase {
    func testVolumeNamesOutsideTheRulesAreRefusedWithTheRule() {
        let bad: [(String, String)] = [
            ("", "empty"), ("a/b", "'/'"), ("../x", "'/'"), ("..", "not allowed"), (".", "not allowed"),
            ("nul\0byte", "NUL"), (String(repeating: "x", count: 256), "over 255"), (String(repeating: "é", count: 128), "over 255"),
        ]
        for (name, fragment) in bad {
            XCTAssertThrowsError(try VolumeName.validate(name)) { error in
                let error = error as! VolumeError
                XCTAssertEqual(error.code, .invalidName)
                XCTAssertTrue(error.message.contains(fragment), "\(error.message) lacks \(fragment)")
                XCTAssertNotNil(error.hint)
            }
        }
        for good in ["data", "a.b-c_d", "...", "with space", String(repeating: "x", count: 255), "ünïcode"] {
            XCTAssertNoThrow(try VolumeName.validate(good), good)
        }
    }

    func testOptionsParseAsKeyValueAndUnknownOnesAreNamed() throws {
        XCTAssertEqual(try VolumeOptions.parse(["a=1", "b=x=y", "c="]), ["a": "1", "b": "x=y", "c": ""])
        XCTAssertThrowsError(try VolumeOptions.parse(["novalue"])) { XCTAssertEqual(($0 as! VolumeError).code, .invalidOption) }
        XCTAssertThrowsError(try VolumeOptions.parse(["=v"]))
        XCTAssertThrowsError(try VolumeOptions.parse(["a=1", "a=2"])) { XCTAssertTrue(($0 as! VolumeError).message.contains("twice")) }

        XCTAssertNoThrow(try VolumeOptions.check(["host": "h"], accepted: ["host", "export"], driver: "nfs"))
        XCTAssertThrowsError(try VolumeOptions.check(["size": "1", "zz": "2", "host": "h"], accepted: ["host", "export"], driver: "nfs")) { error in
            let error = error as! VolumeError
            XCTAssertEqual(error.message, "plugin nfs does not know the options size, zz")
            XCTAssertTrue(error.hint!.contains("it takes export, host"))
        }
        XCTAssertThrowsError(try VolumeOptions.check(["x": "1"], accepted: [], driver: "dirvol")) { error in
            XCTAssertTrue((error as! VolumeError).hint!.contains("takes no volume options"))
        }
    }

    func testCapabilitiesReadScopeAttachAndOptions() throws {
        let caps = StorageCapabilities(try JSONValue(parsing: #"{"scope":"global","attach":true,"options":["host",{"name":"export"}]}"#))
        XCTAssertEqual(caps, StorageCapabilities(scope: "global", attach: true, options: ["host", "export"]))
        XCTAssertEqual(StorageCapabilities(try JSONValue(parsing: #"{"scope":"weird"}"#)), StorageCapabilities())
        XCTAssertNil(StorageCapabilities(try JSONValue(parsing: #"{"scope":"local"}"#)).options, "undeclared: the driver checks its options")
        XCTAssertEqual(StorageCapabilities(try JSONValue(parsing: #"{"options":[]}"#)).options, [], "declared empty: no options at all")
    }
}
