import Foundation
import PaddockPosix
import PaddockVolume
import XCTest

final class VolumeRecordStoreTests: XCTestCase {
    private func temporaryState() throws -> String {
        let path = NSTemporaryDirectory() + "paddock-records-\(getpid())-\(UUID().uuidString)"
        try FileSystem.makeDirectories(path)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testRecordsRoundTripForAnyValidName() throws {
        let store = VolumeRecordStore(stateDirectory: try temporaryState(), driver: "dirvol")
        let names = ["data", String(repeating: "n", count: 255), "with space & ünïcode", "..."]
        for name in names {
            try store.write(VolumeRecord(name: name, driver: "dirvol", options: ["k": "v"], createdAt: "t",
                                         mounts: [MountRecord(id: "c1", mountpoint: "/m", target: "/t", readOnly: true)]))
        }
        for name in names { XCTAssertEqual(try store.read(name)?.name, name) }
        XCTAssertEqual(store.all().records.map(\.name), names.sorted())
        try store.delete("data")
        XCTAssertNil(try store.read("data"))
        XCTAssertNoThrow(try store.delete("data"), "deleting an absent record succeeds")
    }

    func testADamagedRecordIsReportedAndTheOthersAreUnaffected() throws {
        let store = VolumeRecordStore(stateDirectory: try temporaryState(), driver: "dirvol")
        try store.write(VolumeRecord(name: "good", driver: "dirvol", options: [:], createdAt: "t"))
        try store.write(VolumeRecord(name: "bad", driver: "dirvol", options: [:], createdAt: "t"))
        try Data("{\"name\": \"bad\", trunc".utf8).write(to: URL(fileURLWithPath: store.file(for: "bad")))
        XCTAssertThrowsError(try store.read("bad")) { error in
            let error = error as! VolumeError
            XCTAssertEqual(error.code, .corruptRecord)
            XCTAssertTrue(error.message.contains(store.file(for: "bad")), error.message)
            XCTAssertTrue(error.hint!.contains("other volumes are unaffected"))
        }
        XCTAssertEqual(try store.read("good")?.name, "good")
        let all = store.all()
        XCTAssertEqual(all.records.map(\.name), ["good"])
        XCTAssertEqual(all.damaged.map(\.file), [store.file(for: "bad")])

        // A valid record under another volume's file name is damaged too (a copied file, say).
        try FileManager.default.copyItem(atPath: store.file(for: "good"), toPath: store.file(for: "other"))
        XCTAssertThrowsError(try store.read("other")) { XCTAssertEqual(($0 as! VolumeError).code, .corruptRecord) }
        XCTAssertEqual(store.all().damaged.count, 2)
    }
}
