import StorageEBSCore
import XCTest

/// The Query API requests as EC2 expects them, and EC2's XML answers (shapes as moto 5 and
/// the EC2 API reference give them).
final class EC2EncodingTests: XCTestCase {
    func testCreateVolumeBodyIsFormEncodedWithEveryOption() {
        let call = EC2Call.createVolume(zone: "us-east-1a", options: VolumeOptions(
            sizeGiB: 10, volumeType: "io1", iops: 1000, encrypted: true, kmsKeyID: "arn:aws:kms:us-east-1:1:key/a b", snapshotID: "snap-1"),
            clientToken: "tok")
        XCTAssertEqual(call.formBody,
                       "Action=CreateVolume&Version=2016-11-15&AvailabilityZone=us-east-1a&Size=10&VolumeType=io1&Iops=1000"
                       + "&Encrypted=true&KmsKeyId=arn%3Aaws%3Akms%3Aus-east-1%3A1%3Akey%2Fa%20b&SnapshotId=snap-1&ClientToken=tok")
    }

    func testListsAreNumberedFromOneAndDetachAlwaysNamesTheInstance() {
        XCTAssertEqual(EC2Call.describeVolumes(["vol-a", "vol-b"]).formBody,
                       "Action=DescribeVolumes&Version=2016-11-15&VolumeId.1=vol-a&VolumeId.2=vol-b")
        XCTAssertEqual(EC2Call.describeVolumes(attachedTo: "i-1").formBody,
                       "Action=DescribeVolumes&Version=2016-11-15&Filter.1.Name=attachment.instance-id&Filter.1.Value.1=i-1")
        XCTAssertEqual(EC2Call.createTags(resource: "vol-a", tags: [("Name", "db"), ("paddock:volume", "db")]).formBody,
                       "Action=CreateTags&Version=2016-11-15&ResourceId.1=vol-a&Tag.1.Key=Name&Tag.1.Value=db"
                       + "&Tag.2.Key=paddock%3Avolume&Tag.2.Value=db")
        XCTAssertEqual(EC2Call.detachVolume("vol-a", instance: "i-1", force: false).formBody,
                       "Action=DetachVolume&Version=2016-11-15&VolumeId=vol-a&InstanceId=i-1")
        XCTAssertEqual(EC2Call.detachVolume("vol-a", instance: "i-1", force: true).formBody,
                       "Action=DetachVolume&Version=2016-11-15&VolumeId=vol-a&InstanceId=i-1&Force=true")
        XCTAssertEqual(EC2Call.attachVolume("vol-a", instance: "i-1", device: "/dev/sdf").formBody,
                       "Action=AttachVolume&Version=2016-11-15&VolumeId=vol-a&InstanceId=i-1&Device=%2Fdev%2Fsdf")
    }

    func testDescribeVolumesAnswerBecomesVolumes() throws {
        let xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <DescribeVolumesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15"><volumeSet><item><iops>3000</iops>\
            <tagSet><item><key>Name</key><value>db</value></item><item><key>empty</key><value/></item></tagSet>\
            <volumeType>gp3</volumeType><volumeId>vol-31a</volumeId><size>1</size><availabilityZone>us-east-1a</availabilityZone>\
            <status>in-use</status><attachmentSet><item><volumeId>vol-31a</volumeId><instanceId>i-c</instanceId>\
            <device>/dev/sdf</device><status>attached</status></item></attachmentSet><encrypted>false</encrypted></item>\
            <item><volumeId>vol-2</volumeId><status>available</status><attachmentSet/></item></volumeSet>\
            <requestId>r</requestId></DescribeVolumesResponse>
            """
        let volumes = EC2Volume.list(in: try XMLTree.parse(Array(xml.utf8)))
        XCTAssertEqual(volumes, [
            EC2Volume(id: "vol-31a", state: "in-use", sizeGiB: 1, volumeType: "gp3", zone: "us-east-1a", encrypted: false,
                      tags: ["Name": "db", "empty": ""], attachments: [.init(instanceID: "i-c", device: "/dev/sdf", state: "attached")]),
            EC2Volume(id: "vol-2", state: "available"),
        ])
    }

    func testErrorAnswersBecomeServiceErrorsWithAdvice() throws {
        let xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <Response><Errors><Error><Code>InvalidSnapshot.NotFound</Code><Message/></Error></Errors><RequestID>req-9</RequestID></Response>
            """
        let error = try XCTUnwrap(EC2ServiceError(answer: XMLTree.parse(Array(xml.utf8)), httpStatus: 400))
        XCTAssertEqual(error, EC2ServiceError(code: "InvalidSnapshot.NotFound", message: "", httpStatus: 400, requestID: "req-9"))
        let context = EC2ErrorAdvice.Context(region: "us-east-1", zone: "us-east-1a", instanceID: "i-1", snapshotID: "snap-9")
        XCTAssertEqual(EC2ErrorAdvice.advice(for: error, context),
                       "snapshot snap-9 does not exist in region us-east-1; check snapshotID (snapshots belong to one region: copy it here first)")
        XCTAssertFalse(error.isRetryable)
        let auth = EC2ErrorAdvice.advice(for: EC2ServiceError(code: "AuthFailure", message: "", httpStatus: 401), context)
        XCTAssertTrue(auth.contains("AWS_SECRET_ACCESS_KEY"), auth)
        let inUse = EC2ServiceError(code: "InvalidParameterValue", message: "Attachment point /dev/sdf is already in use", httpStatus: 400)
        XCTAssertTrue(inUse.isDeviceInUse)
        XCTAssertTrue(EC2ServiceError(code: "RequestLimitExceeded", message: "", httpStatus: 503).isRetryable)
        XCTAssertTrue(EC2ServiceError(code: "InternalError", message: "", httpStatus: 500).isRetryable)
    }

    func testNotXMLIsAnErrorThatQuotesTheAnswer() {
        XCTAssertThrowsError(try XMLTree.parse(Array("502 Bad Gateway from a proxy".utf8))) { error in
            XCTAssertTrue("\(error)".contains("502 Bad Gateway"), "\(error)")
        }
    }
}
