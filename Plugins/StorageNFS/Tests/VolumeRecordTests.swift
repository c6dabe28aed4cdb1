import PaddockJSON
import StorageNFSCore
import XCTest

final class VolumeRecordTests: XCTestCase {
    func testARecordSurvivesTheStore() throws {
        let config = try NFSSettings(config: ["host": "198.18.0.10", "exportBase": "/base", "mntOptions": "soft,ro"])
        var record = VolumeRecord(spec: try config.volume(try VolumeName(validating: "v"), options: ["onRemove": "archive"]),
                                  createdAt: "20261125T140000Z")
        record.mounts = [VolumeRecord.Mount(target: "/mnt/v", via: "fuse", ids: ["c1", "c2"])]
        let read = try VolumeRecord(bytes: record.encoded())
        XCTAssertEqual(read, record)
        XCTAssertEqual(read.mountCount, 2)
        XCTAssertEqual(read.spec, record.spec)
    }

    func testDamagedRecordsSayWhatIsWrong() {
        let cases: [(String, String)] = [
            ("not json", "not JSON"), (#"{"name":"v"}"#, "\"port\""), (#"{"name":"a/b"}"#, "'/'"), ("[]", "\"name\""),
        ]
        for (text, reason) in cases {
            XCTAssertThrowsError(try VolumeRecord(bytes: Array(text.utf8)), text) { error in
                XCTAssertTrue("\(error)".contains(reason), "\(text): \(error)")
            }
        }
    }

    func testOverlapIsSameServerAndNestedPaths() {
        let base = ServerLocation(host: "h", port: 2049, path: "/exports")
        XCTAssertTrue(base.overlaps(ServerLocation(host: "H", port: 2049, path: "/exports/")))
        XCTAssertTrue(base.overlaps(ServerLocation(host: "h", port: 2049, path: "/exports/a")))
        XCTAssertTrue(ServerLocation(host: "h", port: 2049, path: "/exports/a").overlaps(base))
        XCTAssertTrue(base.overlaps(ServerLocation(host: "h", port: 2049, path: "/")))
        XCTAssertFalse(base.overlaps(ServerLocation(host: "h", port: 2049, path: "/exports2")))
        XCTAssertFalse(base.overlaps(ServerLocation(host: "h", port: 3049, path: "/exports")))
        XCTAssertFalse(base.overlaps(ServerLocation(host: "g", port: 2049, path: "/exports")))
    }

    func testArchiveNamesCarryTheTimeAndFitNameMax() {
        XCTAssertEqual(ArchiveName.make(volume: "data", seconds: 1_764_079_502), "archived-data-20251125T140502Z")
        let long = ArchiveName.make(volume: String(repeating: "x", count: 255), seconds: 0)
        XCTAssertEqual(long.utf8.count, 255)
        XCTAssertTrue(long.hasSuffix("-19700101T000000Z"))
    }
}
