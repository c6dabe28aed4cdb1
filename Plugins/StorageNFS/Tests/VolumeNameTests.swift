import StorageNFSCore
import XCTest

final class VolumeNameTests: XCTestCase {
    func testOrdinaryNamesAreAccepted() throws {
        for name in ["data", "db-1", "a.b_c", String(repeating: "x", count: 255), "é"] {
            XCTAssertEqual(try VolumeName(validating: name).value, name)
        }
    }

    func testNamesThatAreNotOneDirectoryAreRefusedWithAReason() {
        let cases: [(String, String)] = [
            ("", "empty"), ("a/b", "'/'"), ("../x", "'/'"), ("..", "directory itself"), (".", "directory itself"),
            ("nul\u{0}byte", "NUL"), (String(repeating: "x", count: 256), "256 bytes"),
            (String(repeating: "é", count: 128), "256 bytes"),
        ]
        for (name, reason) in cases {
            XCTAssertThrowsError(try VolumeName(validating: name), name) { error in
                let message = (error as? NFSSettingsError)?.message ?? ""
                XCTAssertTrue(message.contains(reason), "\(name.debugDescription): \(message)")
                XCTAssertFalse((error as? NFSSettingsError)?.fix.isEmpty ?? true)
            }
        }
    }
}
