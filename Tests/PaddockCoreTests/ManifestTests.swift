import PaddockCore
import XCTest

/// Manifest parsing: each mistake a driver author can make gets a message naming the key and fix.
final class ManifestTests: XCTestCase {
    let valid = #"{"name":"vxlan","version":"1.2.0","kinds":["network"],"abi":"1.0","description":"d","license":"MIT"}"#

    func testAValidManifestParsesWithDefaults() throws {
        let manifest = try PluginManifest.parse(Array(valid.utf8) + [0, 0])
        XCTAssertEqual(manifest.name, "vxlan")
        XCTAssertEqual(manifest.kinds, [.network])
        XCTAssertEqual(manifest.abi, ABIVersion(major: 1, minor: 0))
        XCTAssertFalse(manifest.threadSafe)
        XCTAssertNil(manifest.configSchema)
        XCTAssertEqual(manifest.actions, [])
    }

    func testEachMistakeIsNamed() {
        func replacing(_ key: String, _ value: String) -> String {
            var object = (try! JSONValue(parsing: valid)).objectValue!
            object[key] = try! JSONValue(parsing: value)
            return JSONValue.object(object).serialized()
        }
        let cases: [(String, String)] = [
            ("", "empty"),
            ("[1,2]", "must be a JSON object"),
            ("{\"name\":", "not JSON"),
            (#"{"version":"1","kinds":["lb"],"abi":"1.0","description":"d","license":"MIT"}"#, "lacks \"name\""),
            (replacing("name", "\"Has Spaces\""), "name \"Has Spaces\" is invalid"),
            (replacing("kinds", "[]"), "non-empty array"),
            (replacing("kinds", "[\"dns\"]"), "\"dns\" is unknown"),
            (replacing("abi", "\"one\""), "write MAJOR.MINOR"),
            (replacing("config_schema", "{\"type\": 5}"), "not a valid schema"),
            (replacing("thread_safe", "\"yes\""), "true or false"),
            (replacing("actions", "[{\"name\":\"set_mtu\",\"symbol\":\"x\",\"signature\":\"sz\"}]"), "'z' at position 2"),
            (replacing("actions", "[{\"name\":\"set_mtu\"}]"), "needs string"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try PluginManifest.parse(Array(text.utf8)), text) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(text): \(error)")
            }
        }
    }

    func testFingerprintMismatchesNameWhatDiffers() {
        let host = BuildFingerprint(entries: ["pointer-bytes": "8", "byte-order": "little", "swift": "6.3.1", "paddock-abi": "1.0"])
        let plugin = BuildFingerprint(section: Array("paddock-abi=1.0\0pointer-bytes=4\0byte-order=little\0".utf8))
        let reasons = plugin.incompatibilities(with: host, isSwift: true)
        XCTAssertTrue(reasons.contains { $0.contains("pointer-bytes is 4 in the plugin but 8 in the host") }, "\(reasons)")
        XCTAssertTrue(reasons.contains { $0.contains("records no swift= build entry") }, "\(reasons)")
        XCTAssertEqual(BuildFingerprint(section: Array("swift=6.3.1\0".utf8)).swiftVersion, "6.3.1")
        XCTAssertEqual(plugin.incompatibilities(with: host, isSwift: false).count, 1)
    }

    func testABIVersionsParseAndOrder() {
        XCTAssertEqual(ABIVersion("1.2")?.raw, 0x0001_0002)
        XCTAssertNil(ABIVersion("1"))
        XCTAssertNil(ABIVersion("1.2.3"))
        XCTAssertNil(ABIVersion("-1.0"))
        XCTAssertLessThan(ABIVersion(major: 1, minor: 9), ABIVersion(major: 2, minor: 0))
        XCTAssertEqual(ABIVersion(raw: 0x0002_0001).description, "2.1")
    }
}
