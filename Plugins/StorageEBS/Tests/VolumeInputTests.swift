import PaddockJSON
import StorageEBSCore
import XCTest

/// Names and options are checked before anything touches EC2 or the host.
final class VolumeInputTests: XCTestCase {
    func testNamesThatCouldEscapeOrConfuseAreRefused() {
        let cases: [(String, String)] = [
            ("", "empty"),
            ("a/b", "'/'"),
            ("..", "\"..\""),
            ("a..b", "\"..\""),
            (".", "\"..\" or is \".\""),
            ("a\u{0}b", "NUL"),
            (String(repeating: "x", count: 256), "256 bytes"),
            ("tab\there", "control character"),
        ]
        for (name, expected) in cases {
            XCTAssertThrowsError(try VolumeName(name), "\(name.debugDescription)") { error in
                XCTAssertTrue("\(error)".contains(expected), "\(name.debugDescription): \(error)")
            }
        }
        XCTAssertEqual(try VolumeName(String(repeating: "é", count: 127)).value.utf8.count, 254)
        XCTAssertNoThrow(try VolumeName("db-data_1.v2"))
    }

    func testOptionsFromStringsAsDockerSendsThem() throws {
        let options = try VolumeOptions(parsing: ["size": "10", "volumeType": "io1", "iops": "1000",
                                                  "encrypted": "true", "kmsKeyId": "arn:aws:kms:k"])
        XCTAssertEqual(options, VolumeOptions(sizeGiB: 10, volumeType: "io1", iops: 1000, encrypted: true, kmsKeyID: "arn:aws:kms:k"))
        XCTAssertEqual(try VolumeOptions(parsing: ["size": 5, "encrypted": false]).sizeGiB, 5)
        XCTAssertEqual(try VolumeOptions(parsing: ["snapshotID": "snap-0abc"]).snapshotID, "snap-0abc")
        XCTAssertEqual(try VolumeOptions(parsing: ["volumeID": "vol-0abc"]).volumeID, "vol-0abc")
        // kubelet's FlexVolume options describe the pod and are ignored.
        XCTAssertEqual(try VolumeOptions(parsing: ["size": "1", "kubernetes.io/fsType": "ext4"]).sizeGiB, 1)
    }

    func testBadOptionsAreRefusedAndNamed() {
        let cases: [(JSONValue, String)] = [
            (["size": "ten"], "option size \"ten\" is not a number"),
            (["size": "10G"], "not a number of GiB"),
            (["size": "0"], "between 1 and"),
            (["size": 1.5], "not a number"),
            (["size": "1", "colour": "red", "zone": "x"], "unknown options \"colour\", \"zone\""),
            (["size": "1", "volumeType": "ssd"], "volumeType \"ssd\" is not an EBS volume type"),
            (["size": "1", "iops": "500"], "needs volumeType io1, io2 or gp3"),
            (["size": "1", "volumeType": "io2"], "needs iops"),
            (["size": "1", "kmsKeyId": "k"], "needs encrypted=true"),
            (["size": "1", "encrypted": "yes"], "not true or false"),
            ([:], "size is required"),
            (["volumeID": "vol-12", "size": "3"], "drop size"),
            (["volumeID": "volume-1"], "not an EBS volume ID"),
            (["snapshotID": "snap-zz"], "not an EBS snapshot ID"),
            (["size": ["1"]], "must be a string"),
            ("text", "must be an object"),
        ]
        for (options, expected) in cases {
            XCTAssertThrowsError(try VolumeOptions(parsing: options), options.serialized()) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(options.serialized()): \(error)")
            }
        }
    }

    func testRecordsRoundTripAndCorruptOnesSayWhatToDo() throws {
        let record = VolumeRecord(name: "db", volumeID: "vol-1", options: VolumeOptions(sizeGiB: 1), createdByDriver: true,
                                  attachDevice: "/dev/sdf", blockDevice: "/dev/loop7", mountpoint: "/m/db", mountIDs: ["c1"])
        XCTAssertEqual(try VolumeRecord.decode(record.encoded(), key: "volume/db"), record)
        XCTAssertThrowsError(try VolumeRecord.decode(Array("{not json".utf8), key: "volume/db")) { error in
            XCTAssertTrue("\(error)".contains("volume/db"))
            XCTAssertTrue("\(error)".contains("not valid JSON"))
            XCTAssertTrue("\(error)".contains("volumeID=vol-"))
        }
        XCTAssertThrowsError(try VolumeRecord.decode(Array("{\"name\":\"db\"}".utf8), key: "volume/db")) { error in
            XCTAssertTrue("\(error)".contains("missing"), "\(error)")
        }
    }
}
