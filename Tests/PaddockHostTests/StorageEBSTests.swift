import Foundation
import PaddockPosix
import XCTest

/// The EBS driver end to end: `paddock plugin invoke ebs storage.*` against a real moto_server,
/// with loop devices formatted by the real mkfs.ext4 and mounted by the real kernel.
final class StorageEBSTests: XCTestCase {
    func testDriverPassesTheConformanceKit() throws {
        let temp = try temporaryDirectory("paddock-ebs-kit-\(getpid())")
        let run = try Harness.paddock(["plugin", "test", try Harness.swiftPlugin("StorageEBS"), "--format", "json"],
                                      pluginPath: nil, stateDir: try temp.subdirectory("state"), timeout: 300)
        XCTAssertEqual(run.status, .exited(0), run.stdout + run.stderr)
        let report = try XCTUnwrap(run.json as? [String: Any], run.stdout)
        XCTAssertEqual(report["failed"] as? Int, 0, run.stdout)
        XCTAssertGreaterThan(report["passed"] as? Int ?? 0, 40, run.stdout)
    }

    func testLifecycleFormatsMountsAndKeepsDataAcrossRemountThenDeletes() throws {
        let ebs = try StorageEBSFixture(self)
        let created = try ebs.ok("create", ["name": "data", "options": ["size": "1", "volumeType": "gp3"]])
        let volumeID = try XCTUnwrap(created["volumeId"] as? String)

        // EC2's own view (straight from moto): available, tagged.
        let described = try ebs.ec2("DescribeVolumes", ["VolumeId.1": volumeID])
        XCTAssertEqual(StorageEBSFixture.values("status", in: described), ["available"])
        XCTAssertTrue(described.contains("<key>Name</key><value>data</value>"), described)
        XCTAssertTrue(described.contains("<key>paddock:volume</key><value>data</value>"), described)
        XCTAssertTrue(described.contains("<key>paddock:driver</key><value>ebs</value>"), described)
        XCTAssertTrue(described.contains("<volumeType>gp3</volumeType>"), described)

        // First mount: attach, loop device, mkfs.ext4, mount.
        let mountpoint = try XCTUnwrap(try ebs.ok("mount", ["name": "data", "id": "c1"])["mountpoint"] as? String)
        XCTAssertEqual(mountpoint, "\(ebs.temp.path)/mounts/data")
        XCTAssertTrue(StorageEBSFixture.isMountPoint(mountpoint))
        let loops = try ebs.loopDevices(volumeID)
        XCTAssertEqual(loops.count, 1)
        let attached = try ebs.ec2("DescribeVolumes", ["VolumeId.1": volumeID])
        XCTAssertTrue(attached.contains("<instanceId>\(ebs.instanceID)</instanceId><device>/dev/sdf</device><status>attached</status>"), attached)
        let status = try XCTUnwrap(try ebs.ok("get", ["name": "data"])["status"] as? [String: Any])
        XCTAssertEqual(status["blockDevice"] as? String, loops.first)
        XCTAssertEqual(status["device"] as? String, "/dev/sdf")
        XCTAssertEqual(status["state"] as? String, "in-use")
        let blkid = try ChildProcess.run("/sbin/blkid", arguments: ["-o", "value", "-s", "TYPE", loops[0]], timeoutSeconds: 30)
        XCTAssertEqual(String(decoding: blkid.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), "ext4")
        try "written through the EBS mount\n".write(toFile: "\(mountpoint)/hello.txt", atomically: false, encoding: .utf8)

        // A second holder shares the mount; the first leaving keeps it.
        XCTAssertEqual(try ebs.ok("mount", ["name": "data", "id": "c2"])["mountpoint"] as? String, mountpoint)
        try ebs.ok("unmount", ["name": "data", "id": "c1"])
        XCTAssertTrue(StorageEBSFixture.isMountPoint(mountpoint))
        // The last one leaving unmounts and detaches: EC2 says available, the loop device is gone.
        try ebs.ok("unmount", ["name": "data", "id": "c2"])
        XCTAssertFalse(StorageEBSFixture.isMountPoint(mountpoint))
        XCTAssertEqual(try ebs.loopDevicesAfterRelease(volumeID), [])
        let detached = try ebs.ec2("DescribeVolumes", ["VolumeId.1": volumeID])
        XCTAssertEqual(StorageEBSFixture.values("status", in: detached), ["available"], detached)
        XCTAssertTrue(ebs.requests.contains { $0.hasPrefix("Action=DetachVolume") && $0.contains("InstanceId=\(ebs.instanceID)") })

        // Remount: attached again, not formatted again, the file is there.
        let again = try XCTUnwrap(try ebs.ok("mount", ["name": "data", "id": "c3"])["mountpoint"] as? String)
        XCTAssertEqual(try String(contentsOfFile: "\(again)/hello.txt", encoding: .utf8), "written through the EBS mount\n")
        XCTAssertEqual(ebs.events.filter { $0["type"] as? String == "storage.volume.formatted" }.count, 1)
        try ebs.ok("unmount", ["name": "data", "id": "c3"])

        // Remove deletes the volume in EC2 and forgets it.
        XCTAssertEqual(try ebs.ok("remove", ["name": "data"])["deleted"] as? Bool, true)
        let gone = try ebs.ec2("DescribeVolumes", ["VolumeId.1": volumeID])
        XCTAssertTrue(gone.contains("InvalidVolume.NotFound"), gone)
        XCTAssertEqual((try ebs.ok("list", [:])["volumes"] as? [Any])?.count, 0)
        XCTAssertEqual(try ebs.loopDevicesAfterRelease(volumeID), [])
        // remove, detach and unmount of what is absent succeed.
        try ebs.ok("remove", ["name": "data"])
        try ebs.ok("unmount", ["name": "data", "id": "c3"])
        // The debug log really is in the transcript the secret check reads.
        XCTAssertTrue(ebs.transcript.contains("EC2 CreateVolume"), ebs.transcript)
        ebs.assertNoSecretsLeaked()
    }

    func testBusyMountpointOnUnmountIsAClearErrorAndTheRecordStaysConsistent() throws {
        let ebs = try StorageEBSFixture(self)
        let volumeID = try XCTUnwrap(try ebs.ok("create", ["name": "busy", "options": ["size": "1"]])["volumeId"] as? String)
        let mountpoint = try XCTUnwrap(try ebs.ok("mount", ["name": "busy", "id": "c1"])["mountpoint"] as? String)
        // A process whose working directory is on the volume keeps it busy.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/bin/sleep")
        holder.arguments = ["60"]
        holder.currentDirectoryURL = URL(fileURLWithPath: mountpoint)
        try holder.run()
        addTeardownBlock { if holder.isRunning { holder.terminate() } }

        let refused = try ebs.refused("unmount", ["name": "busy", "id": "c1"])
        XCTAssertEqual(refused["code"] as? Int, 103, "\(refused)")
        XCTAssertEqual(refused["msg"] as? String, "ebs: volume busy: \(mountpoint) is busy")
        XCTAssertTrue((refused["details"] as? String ?? "").contains("fuser -vm \(mountpoint)"), "\(refused)")
        // Still mounted, still attached, and the record says so.
        XCTAssertTrue(StorageEBSFixture.isMountPoint(mountpoint))
        let status = try XCTUnwrap(try ebs.ok("get", ["name": "busy"])["status"] as? [String: Any])
        XCTAssertEqual(status["mountIds"] as? [String], ["c1"])
        XCTAssertEqual(status["state"] as? String, "in-use")
        XCTAssertEqual(try ebs.ok("path", ["name": "busy"])["mountpoint"] as? String, mountpoint)
        XCTAssertEqual(try ebs.refused("remove", ["name": "busy"])["code"] as? Int, 103)
        XCTAssertEqual(try ebs.refused("detach", ["name": "busy"])["code"] as? Int, 103)

        holder.terminate()
        holder.waitUntilExit()
        try ebs.ok("unmount", ["name": "busy", "id": "c1"])
        XCTAssertFalse(StorageEBSFixture.isMountPoint(mountpoint))
        XCTAssertEqual(try ebs.loopDevicesAfterRelease(volumeID), [])
        try ebs.ok("remove", ["name": "busy"])
    }

    func testConcurrentMountsFromSeparateProcessesShareOneAttachmentAndMount() throws {
        let ebs = try StorageEBSFixture(self)
        let volumeID = try XCTUnwrap(try ebs.ok("create", ["name": "shared", "options": ["size": "1"]])["volumeId"] as? String)
        // Four `paddock` processes at once; the per-volume lock serializes them.
        let answers = Answers()
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            let result = Result { try ebs.invoke("mount", ["name": "shared", "id": "c\(index)"]) }
            answers.add(result)
        }
        let mountpoints = try answers.all.map { result -> String in
            let (code, body) = try result.get()
            XCTAssertEqual(code, 0, "\(body)")
            return body["mountpoint"] as? String ?? ""
        }
        XCTAssertEqual(Set(mountpoints), ["\(ebs.temp.path)/mounts/shared"])
        let status = try XCTUnwrap(try ebs.ok("get", ["name": "shared"])["status"] as? [String: Any])
        XCTAssertEqual(Set(status["mountIds"] as? [String] ?? []), ["c0", "c1", "c2", "c3"])
        XCTAssertEqual(ebs.requests.filter { $0.hasPrefix("Action=AttachVolume") }.count, 1)
        XCTAssertEqual(try ebs.loopDevices(volumeID).count, 1)
        for index in 0..<4 { try ebs.ok("unmount", ["name": "shared", "id": "c\(index)"]) }
        XCTAssertFalse(StorageEBSFixture.isMountPoint("\(ebs.temp.path)/mounts/shared"))
        XCTAssertEqual(try ebs.loopDevicesAfterRelease(volumeID), [])
        try ebs.ok("remove", ["name": "shared"])
    }

    private final class Answers: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [Result<(code: Int32, body: [String: Any]), Error>] = []
        func add(_ result: Result<(code: Int32, body: [String: Any]), Error>) { lock.lock(); results.append(result); lock.unlock() }
        var all: [Result<(code: Int32, body: [String: Any]), Error>] { lock.lock(); defer { lock.unlock() }; return results }
    }

    func testAttachWaitsWhileEC2SaysAttaching() throws {
        let ebs = try StorageEBSFixture(self)
        let volumeID = try XCTUnwrap(try ebs.ok("create", ["name": "slow", "options": ["size": "1"]])["volumeId"] as? String)
        // The proxy shows moto's answer with "attaching" for the next 4 DescribeVolumes.
        try ebs.controlFile("attaching-polls", "4")
        let attached = try ebs.ok("attach", ["name": "slow"])
        XCTAssertEqual(attached["ec2Device"] as? String, "/dev/sdf")
        XCTAssertTrue((attached["device"] as? String ?? "").hasPrefix("/dev/loop"), "\(attached)")
        let sent = ebs.requests
        let attachIndex = try XCTUnwrap(sent.firstIndex { $0.hasPrefix("Action=AttachVolume") })
        let polls = sent[attachIndex...].filter { $0.hasPrefix("Action=DescribeVolumes") && $0.contains("VolumeId.1=\(volumeID)") }
        XCTAssertGreaterThanOrEqual(polls.count, 5, "4 polls saw attaching, one saw attached: \(sent)")
        try ebs.ok("detach", ["name": "slow"])
        try ebs.ok("remove", ["name": "slow"])
    }

    func testStuckDetachIsForcedAfterTheTimeout() throws {
        // detach_timeout_seconds is 2 in the fixture; the proxy holds the plain detach forever.
        let ebs = try StorageEBSFixture(self)
        let volumeID = try XCTUnwrap(try ebs.ok("create", ["name": "stuck", "options": ["size": "1"]])["volumeId"] as? String)
        try ebs.ok("attach", ["name": "stuck"])
        try ebs.controlFile("hold-detach", volumeID)
        try ebs.ok("detach", ["name": "stuck"])
        let detaches = ebs.requests.filter { $0.hasPrefix("Action=DetachVolume") }
        XCTAssertEqual(detaches, [
            "Action=DetachVolume&Version=2016-11-15&VolumeId=\(volumeID)&InstanceId=\(ebs.instanceID)",
            "Action=DetachVolume&Version=2016-11-15&VolumeId=\(volumeID)&InstanceId=\(ebs.instanceID)&Force=true",
        ])
        let forced = ebs.events.filter { $0["type"] as? String == "storage.volume.detach.forced" }
        XCTAssertEqual(forced.count, 1)
        XCTAssertEqual(forced.first?["lastState"] as? String, "detaching")
        XCTAssertEqual(StorageEBSFixture.values("status", in: try ebs.ec2("DescribeVolumes", ["VolumeId.1": volumeID])), ["available"])
        XCTAssertEqual(try ebs.loopDevicesAfterRelease(volumeID), [])
        try ebs.ok("remove", ["name": "stuck"])
    }

    func testDeviceNameAlreadyInUseMovesToTheNextName() throws {
        let ebs = try StorageEBSFixture(self)
        try ebs.ok("create", ["name": "second", "options": ["size": "1"]])
        // moto never refuses a device name; the proxy answers as EC2 does for a taken one.
        try ebs.controlFile("busy-devices", "/dev/sdf /dev/sdg")
        XCTAssertEqual(try ebs.ok("attach", ["name": "second"])["ec2Device"] as? String, "/dev/sdh")
        let devices = ebs.requests.filter { $0.hasPrefix("Action=AttachVolume") }.compactMap { $0.components(separatedBy: "Device=").last }
        XCTAssertEqual(devices, ["%2Fdev%2Fsdf", "%2Fdev%2Fsdg", "%2Fdev%2Fsdh"])
        // A second volume skips the name EC2 shows in use on this instance.
        try ebs.controlFile("busy-devices", "")
        try ebs.ok("create", ["name": "third", "options": ["size": "1"]])
        XCTAssertEqual(try ebs.ok("attach", ["name": "third"])["ec2Device"] as? String, "/dev/sdf")
        try ebs.ok("create", ["name": "fourth", "options": ["size": "1"]])
        XCTAssertEqual(try ebs.ok("attach", ["name": "fourth"])["ec2Device"] as? String, "/dev/sdg")
        for name in ["second", "third", "fourth"] { try ebs.ok("remove", ["name": name]) }
    }

    func testWithoutAHookTheNamingRulesAreTriedAndTheWaitIsBounded() throws {
        // No device_map_hook: this machine has no /dev/xvdf, /dev/sdf or EBS NVMe disk, so the
        // attachment succeeds in EC2 but no block device appears; the wait ends at the bound.
        for path in ["/dev/xvdf", "/dev/sdf", "/dev/xvdj"] where FileManager.default.fileExists(atPath: path) {
            throw XCTSkip("\(path) exists on this host; the no-hook rules would find a real disk")
        }
        let ebs = try StorageEBSFixture(self, config: ["device_map_hook": NSNull(), "device_timeout_seconds": 1])
        try ebs.ok("create", ["name": "nohook", "options": ["size": "1"]])
        let failed = try ebs.refused("mount", ["name": "nohook", "id": "c1"])
        XCTAssertEqual(failed["code"] as? Int, 105, "\(failed)")
        let message = failed["msg"] as? String ?? ""
        for candidate in ["/dev/xvdf", "/dev/sdf", "/dev/xvdj", "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol"] {
            XCTAssertTrue(message.contains(candidate), "\(candidate) in \(message)")
        }
        XCTAssertTrue((failed["details"] as? String ?? "").contains("device_map_hook"), "\(failed)")
        // The record knows the attachment, so detach cleans it up in EC2.
        try ebs.ok("detach", ["name": "nohook"])
        try ebs.ok("remove", ["name": "nohook"])
    }

    func testBadNamesAndOptionsAreRefusedBeforeEC2IsAsked() throws {
        let ebs = try StorageEBSFixture(self)
        let cases: [(String, String)] = [
            (#"{"name":"a/b","options":{"size":"1"}}"#, "contains '/'"),
            (#"{"name":"..","options":{"size":"1"}}"#, "\"..\""),
            (#"{"name":"a\u0000b","options":{"size":"1"}}"#, "NUL"),
            ("{\"name\":\"\(String(repeating: "n", count: 256))\",\"options\":{\"size\":\"1\"}}", "at most 255 bytes"),
            (#"{"name":"ok","options":{"size":"ten"}}"#, "option size \"ten\" is not a number"),
            (#"{"name":"ok","options":{"size":"1","flavour":"x","Size":"2"}}"#, "unknown options \"Size\", \"flavour\""),
            (#"{"name":"ok","options":{}}"#, "size is required"),
            (#"{"options":{"size":"1"}}"#, "no \"name\""),
        ]
        for (request, expected) in cases {
            let (code, body) = try ebs.invokeRaw("create", request)
            XCTAssertEqual(code, 1, request)
            XCTAssertEqual(body["code"] as? Int, 7, "\(request): \(body)")
            XCTAssertTrue((body["msg"] as? String ?? "").contains(expected), "\(request.prefix(80)): \(body)")
            XCTAssertTrue((body["msg"] as? String ?? "").hasPrefix("ebs: "), "errors name the plugin: \(body)")
        }
        XCTAssertFalse(ebs.requests.contains { $0.hasPrefix("Action=CreateVolume") }, "\(ebs.requests)")
        XCTAssertEqual((try ebs.ok("list", [:])["volumes"] as? [Any])?.count, 0)
    }

    func testEC2ErrorsBecomeMessagesThatSayWhatToDo() throws {
        let ebs = try StorageEBSFixture(self)
        let snapshot = try ebs.refused("create", ["name": "fromsnap", "options": ["snapshotID": "snap-12345678"]])
        XCTAssertEqual(snapshot["code"] as? Int, 101, "\(snapshot)")
        XCTAssertEqual(snapshot["msg"] as? String,
                       "ebs: volume fromsnap: CreateVolume failed: InvalidSnapshot.NotFound — snapshot snap-12345678 does not exist in region us-east-1; check snapshotID (snapshots belong to one region: copy it here first)")
        let missing = try ebs.refused("create", ["name": "adopt", "options": ["volumeID": "vol-0123456789abcdef0"]])
        XCTAssertEqual(missing["code"] as? Int, 101)
        XCTAssertTrue((missing["msg"] as? String ?? "").contains("volumeID vol-0123456789abcdef0 does not exist in region us-east-1"), "\(missing)")
        XCTAssertEqual((try ebs.ok("list", [:])["volumes"] as? [Any])?.count, 0, "a failed create leaves no record")

        // An existing volume is adopted by ID, and forgotten (not deleted) on remove.
        let made = try ebs.ec2("CreateVolume", ["AvailabilityZone": "us-east-1a", "Size": "1"])
        let existing = try XCTUnwrap(StorageEBSFixture.values("volumeId", in: made).first)
        XCTAssertEqual(try ebs.ok("create", ["name": "adopted", "options": ["volumeID": existing]])["volumeId"] as? String, existing)
        XCTAssertEqual(try ebs.ok("remove", ["name": "adopted"])["deleted"] as? Bool, false)
        XCTAssertEqual(StorageEBSFixture.values("status", in: try ebs.ec2("DescribeVolumes", ["VolumeId.1": existing])), ["available"])

        // Attached to another instance: attach and remove refuse at once, naming it.
        let otherRun = try ebs.ec2("RunInstances", ["ImageId": "ami-12c6146b", "MinCount": "1", "MaxCount": "1"])
        let other = try XCTUnwrap(StorageEBSFixture.values("instanceId", in: otherRun).first)
        let elsewhere = try XCTUnwrap(try ebs.ok("create", ["name": "elsewhere", "options": ["size": "1"]])["volumeId"] as? String)
        _ = try ebs.ec2("AttachVolume", ["VolumeId": elsewhere, "InstanceId": other, "Device": "/dev/sdf"])
        let attach = try ebs.refused("attach", ["name": "elsewhere"])
        XCTAssertEqual(attach["code"] as? Int, 103)
        XCTAssertTrue((attach["msg"] as? String ?? "").contains("is attached to \(other)"), "\(attach)")
        let remove = try ebs.refused("remove", ["name": "elsewhere"])
        XCTAssertEqual(remove["code"] as? Int, 103)
        XCTAssertTrue((remove["msg"] as? String ?? "").contains("deleted only when available"), "\(remove)")
        _ = try ebs.ec2("DetachVolume", ["VolumeId": elsewhere, "InstanceId": other])
        XCTAssertEqual(try ebs.ok("remove", ["name": "elsewhere"])["deleted"] as? Bool, true)

        // EC2 unreachable: a bounded, named failure.
        let down = try StorageEBSFixture(self, config: ["endpoint": "http://127.0.0.1:\(try LBTest.freePort())", "request_timeout_seconds": 5])
        let unreachable = try down.refused("create", ["name": "x", "options": ["size": "1"]])
        XCTAssertEqual(unreachable["code"] as? Int, 50, "\(unreachable)")
        XCTAssertTrue((unreachable["msg"] as? String ?? "").contains("cannot reach http://127.0.0.1:"), "\(unreachable)")
        ebs.assertNoSecretsLeaked()
        down.assertNoSecretsLeaked()
    }

    func testCorruptRecordIsReportedAndOthersAreUnaffected() throws {
        let ebs = try StorageEBSFixture(self)
        try ebs.ok("create", ["name": "good", "options": ["size": "1"]])
        let badID = try XCTUnwrap(try ebs.ok("create", ["name": "bad", "options": ["size": "1"]])["volumeId"] as? String)
        // Damage one record in the store file, as a torn manual edit would.
        let file = "\(ebs.state)/kv/ebs.json"
        var store = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        var entries = try XCTUnwrap(store["entries"] as? [String: Any])
        entries["volume/bad"] = ["text": "{\"name\":\"bad\",\"volumeID\":\"\(badID)\",\"opti"]
        store["entries"] = entries
        try JSONSerialization.data(withJSONObject: store).write(to: URL(fileURLWithPath: file))

        let listed = try ebs.ok("list", [:])
        XCTAssertEqual((listed["volumes"] as? [[String: Any]])?.compactMap { $0["name"] as? String }, ["good"])
        let problems = try XCTUnwrap(listed["errors"] as? [[String: Any]])
        XCTAssertEqual(problems.first?["name"] as? String, "bad")
        XCTAssertTrue((problems.first?["error"] as? String ?? "").contains("volume/bad"), "\(problems)")
        let get = try ebs.refused("get", ["name": "bad"])
        XCTAssertTrue((get["msg"] as? String ?? "").contains("corrupt"), "\(get)")
        XCTAssertTrue((get["msg"] as? String ?? "").contains("the record mentions \(badID)"), "\(get)")
        // The good volume still mounts and unmounts.
        try ebs.ok("mount", ["name": "good", "id": "x"])
        try ebs.ok("unmount", ["name": "good", "id": "x"])
        // Removing the corrupt one forgets the record only; then it can be adopted back by ID.
        XCTAssertEqual(try ebs.ok("remove", ["name": "bad"])["forgotCorruptRecord"] as? Bool, true)
        XCTAssertEqual(StorageEBSFixture.values("status", in: try ebs.ec2("DescribeVolumes", ["VolumeId.1": badID])), ["available"])
        try ebs.ok("create", ["name": "bad", "options": ["volumeID": badID]])
        for name in ["good", "bad"] { try ebs.ok("remove", ["name": name]) }
    }
}
