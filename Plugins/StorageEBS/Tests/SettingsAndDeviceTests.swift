import PaddockJSON
import StorageEBSCore
import XCTest

final class SettingsAndDeviceTests: XCTestCase {
    func testConfigWinsOverEnvironmentAndSecretsStayOutOfTheDescription() throws {
        let settings = try EBSSettings.resolve(
            config: ["region": "eu-west-1", "availability_zone": "eu-west-1b", "instance_id": "i-0f",
                     "endpoint": "http://127.0.0.1:5000", "poll_interval_seconds": 0.5],
            environment: ["AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
                          "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "AWS_SESSION_TOKEN": "tok-secret"],
            defaultMountRoot: "/var/lib/p/mounts")
        XCTAssertEqual(settings.region, "eu-west-1")
        XCTAssertEqual(settings.zone, "eu-west-1b")
        XCTAssertEqual(settings.endpoint, "http://127.0.0.1:5000")
        XCTAssertEqual(settings.secretAccessKey, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        XCTAssertEqual(settings.sessionToken, "tok-secret")
        XCTAssertEqual(settings.pollInterval, 0.5)
        XCTAssertEqual(settings.mountRoot, "/var/lib/p/mounts")
        XCTAssertFalse(settings.description.contains("wJalr"))
        XCTAssertFalse(settings.description.contains("tok-secret"))
    }

    func testEnvironmentAloneIsEnoughAndTheDefaultEndpointFollowsTheRegion() throws {
        let settings = try EBSSettings.resolve(
            config: [:], environment: ["AWS_DEFAULT_REGION": "ap-south-1", "PADDOCK_EBS_AVAILABILITY_ZONE": "ap-south-1a",
                                       "PADDOCK_EBS_INSTANCE_ID": "i-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"],
            defaultMountRoot: "/m")
        XCTAssertEqual(settings.endpoint, "https://ec2.ap-south-1.amazonaws.com")
        XCTAssertNil(settings.sessionToken)
    }

    func testMissingSettingsNameTheKeyAndTheVariable() {
        XCTAssertThrowsError(try EBSSettings.resolve(config: ["region": "r"], environment: [:], defaultMountRoot: "/m")) { error in
            XCTAssertEqual("\(error)", "no availability_zone: set \"availability_zone\" in the enable config or the environment variable PADDOCK_EBS_AVAILABILITY_ZONE (e.g. ra)")
        }
        XCTAssertThrowsError(try EBSSettings.resolve(config: ["region": "r", "availability_zone": "ra", "instance_id": "i-1"],
                                                     environment: [:], defaultMountRoot: "/m")) { error in
            XCTAssertTrue("\(error)".contains("AWS_ACCESS_KEY_ID"), "\(error)")
        }
        XCTAssertThrowsError(try EBSSettings.resolve(config: ["region": "r", "endpoint": "ftp://x"], environment: [:], defaultMountRoot: "/m"))
    }

    func testAttachNamesAndHostNamingRules() {
        XCTAssertEqual(DeviceNames.attachCandidates.first, "/dev/sdf")
        XCTAssertEqual(DeviceNames.attachCandidates.last, "/dev/sdz")
        XCTAssertEqual(DeviceNames.attachCandidates.count, 21)
        XCTAssertEqual(DeviceNames.hostCandidates(device: "/dev/sdf", volumeID: "vol-0abc"),
                       ["/dev/xvdf", "/dev/sdf", "/dev/xvdj", "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0abc"])
        XCTAssertEqual(DeviceNames.hostCandidates(device: "/dev/sdz", volumeID: "vol-1").prefix(2), ["/dev/xvdz", "/dev/sdz"])
        XCTAssertEqual(DeviceNames.hostCandidates(device: "/dev/sdz", volumeID: "vol-1").count, 3)
        XCTAssertTrue(DeviceNames.serialMatches("vol0abc  \n", volumeID: "vol-0abc"))
        XCTAssertFalse(DeviceNames.serialMatches("vol0abd", volumeID: "vol-0abc"))
    }
}
