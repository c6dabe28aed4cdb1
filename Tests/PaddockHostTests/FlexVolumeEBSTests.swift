import Foundation
import Glibc
import PaddockPosix
import XCTest

/// The attach-side FlexVolume call-outs with a driver that attaches: the EBS driver against
/// moto_server, attached volumes appearing as loop devices, formatted and mounted for real.
final class FlexVolumeEBSTests: XCTestCase {
    func testEveryCallOutInKubeletsOrderWithADriverThatAttaches() throws {
        let ebs = try StorageEBSFixture(self)
        let exec = "\(ebs.temp.path)/exec"
        let install = try ebs.paddock(["flexvolume", "install", "ebs", "--dir", exec])
        XCTAssertEqual(install.status, .exited(0), install.stderr)
        let driver = "\(exec)/paddock~ebs/ebs"
        // kubelet's environment: no PADDOCK_* variables; the AWS credentials as the host provides them.
        let environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "AWS_ACCESS_KEY_ID": "AKIDPADDOCKTEST",
                           "AWS_SECRET_ACCESS_KEY": StorageEBSFixture.secretKey, "AWS_SESSION_TOKEN": StorageEBSFixture.sessionToken]
        func call(_ arguments: [String]) throws -> [String: Any] {
            let outcome = try ChildProcess.run(driver, arguments: arguments, environment: environment, timeoutSeconds: 180)
            let combined = outcome.stdout + outcome.stderr
            let text = String(decoding: combined, as: UTF8.self)
            XCTAssertFalse(text.contains(StorageEBSFixture.secretKey), "no secret in kubelet's output")
            return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(combined)) as? [String: Any], text)
        }
        func success(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
            let answer = try call(arguments)
            XCTAssertEqual(answer["status"] as? String, "Success", "\(arguments[0]): \(answer)", file: file, line: line)
            return answer
        }

        let initialized = try success(["init"])
        XCTAssertEqual((initialized["capabilities"] as? [String: Any])?["attach"] as? Bool, true)
        let options = #"{"volumeName":"kube","size":"1","kubernetes.io/fsType":"ext4","kubernetes.io/readwrite":"rw","kubernetes.io/pvOrVolumeName":"pv-kube"}"#
        let node = "node-\(getpid())"

        XCTAssertEqual(try success(["getvolumename", options])["volumeName"] as? String, "kube")
        XCTAssertEqual(try success(["isattached", options, node])["attached"] as? Bool, false, "nothing exists yet")
        let device = try XCTUnwrap(try success(["attach", options, node])["device"] as? String)
        XCTAssertTrue(device.hasPrefix("/dev/loop"), device)
        XCTAssertEqual(try success(["isattached", options, node])["attached"] as? Bool, true)
        XCTAssertEqual(try success(["waitforattach", device, options])["device"] as? String, device)

        let global = "\(ebs.temp.path)/kubelet/plugins/kubernetes.io/flexvolume/paddock/ebs/mounts/kube"
        let pod = "\(ebs.temp.path)/kubelet/pods/uid-ebs/volumes/paddock~ebs/kube"
        _ = try success(["mountdevice", global, device, options])
        XCTAssertTrue(VolumeTestMounts.isMountPoint(global))
        _ = try success(["mount", pod, options])
        XCTAssertTrue(VolumeTestMounts.isMountPoint(pod))
        try Data("on an ext4 volume\n".utf8).write(to: URL(fileURLWithPath: "\(pod)/file"))
        XCTAssertEqual(try String(contentsOfFile: "\(global)/file", encoding: .utf8), "on an ext4 volume\n",
                       "the pod and the device mount are the same filesystem")
        let blkid = try ChildProcess.run("/sbin/blkid", arguments: ["-o", "value", "-s", "TYPE", device], timeoutSeconds: 30)
        XCTAssertEqual(String(decoding: blkid.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), "ext4")

        _ = try success(["unmount", pod])
        XCTAssertFalse(VolumeTestMounts.isMountPoint(pod))
        XCTAssertTrue(VolumeTestMounts.isMountPoint(global), "the device mount stays until unmountdevice")
        _ = try success(["unmountdevice", global])
        XCTAssertFalse(VolumeTestMounts.isMountPoint(global))
        _ = try success(["detach", "kube", node])
        XCTAssertEqual(try success(["isattached", options, node])["attached"] as? Bool, false)

        let deleted = try ebs.paddock(["volume", "delete", "kube", "--driver", "ebs"])
        XCTAssertEqual(deleted.status, .exited(0), deleted.stderr)
        let listed = try ebs.paddock(["volume", "list", "--driver", "ebs", "--format", "json"])
        XCTAssertEqual(((listed.json as? [String: Any])?["volumes"] as? [Any])?.count, 0, listed.stdout)
    }
}
