import Foundation
import Glibc
import PaddockPosix
import XCTest

/// kubelet's side of FlexVolume: the installed driver run as kubelet runs it (its own environment,
/// standard output and error read together) and every answer decoded as kubelet's driver-call does.
final class FlexVolumeTests: XCTestCase {
    /// kubelet's DriverStatus: the output must be one JSON object with a known status.
    struct DriverStatus {
        var status: String
        var message: String
        var document: [String: Any]
        var exit: ChildProcess.Termination
    }

    private var fixture: DirvolFixture!
    private var driver = ""

    override func setUpWithError() throws {
        fixture = try DirvolFixture(self, label: "pdflex")
        let exec = "\(fixture.temp.path)/exec"
        let install = try fixture.paddock(["flexvolume", "install", "dirvol", "--dir", exec, "--format", "json"])
        XCTAssertEqual(install.status, .exited(0), install.stderr)
        driver = "\(exec)/paddock~dirvol/dirvol"
        XCTAssertEqual((install.json as? [String: Any])?["path"] as? String, driver)
    }

    /// Runs the installed driver with a kubelet-like environment (no PADDOCK_* variables).
    func call(_ arguments: [String]) throws -> DriverStatus {
        let outcome = try ChildProcess.run(driver, arguments: arguments,
                                           environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"], timeoutSeconds: 60)
        let combined = outcome.stdout + outcome.stderr
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(combined)) as? [String: Any],
                                   "kubelet could not decode: \(String(decoding: combined, as: UTF8.self))")
        let status = try XCTUnwrap(object["status"] as? String)
        XCTAssertTrue(["Success", "Failure", "Not supported"].contains(status), status)
        return DriverStatus(status: status, message: object["message"] as? String ?? "", document: object, exit: outcome.termination)
    }

    func testInitAnswersCapabilitiesAndAttachCallOutsAreNotSupportedWithoutAttach() throws {
        let initialized = try call(["init"])
        XCTAssertEqual(initialized.status, "Success")
        XCTAssertEqual(initialized.exit, .exited(0))
        XCTAssertEqual((initialized.document["capabilities"] as? [String: Any])?["attach"] as? Bool, false)

        let options = #"{"volumeName":"data","kubernetes.io/fsType":"","kubernetes.io/readwrite":"rw"}"#
        let name = try call(["getvolumename", options])
        XCTAssertEqual(name.status, "Success")
        XCTAssertEqual(name.document["volumeName"] as? String, "data")

        let attachOnly: [[String]] = [
            ["attach", options, "node1"], ["detach", "data", "node1"], ["waitforattach", "/dev/null", options],
            ["isattached", options, "node1"], ["mountdevice", "/tmp/x", "/dev/null", options], ["unmountdevice", "/tmp/x"],
            ["expandvolume", options, "1Gi"],
        ]
        for arguments in attachOnly {
            let answer = try call(arguments)
            XCTAssertEqual(answer.status, "Not supported", "\(arguments[0]): \(answer.message)")
        }
        let wrong = try call(["mount", "/tmp/only-a-dir"])
        XCTAssertEqual(wrong.status, "Failure")
        XCTAssertEqual(wrong.exit, .exited(1))
        XCTAssertTrue(wrong.message.contains("usage: mount <mount dir> <json options>"), wrong.message)
    }

    func testMountBindsTheVolumeOntoKubeletsDirectoryAndUnmountFindsItByDirectory() throws {
        try requireRootForVolumes()
        let pod = "\(fixture.temp.path)/kubelet/pods/uid-1/volumes/paddock~dirvol/vol"
        addTeardownBlock { VolumeTestMounts.release(pod) }
        let options = #"{"volumeName":"data","kubernetes.io/fsType":"","kubernetes.io/readwrite":"rw","kubernetes.io/pod.name":"p"}"#

        let mounted = try call(["mount", pod, options])
        XCTAssertEqual(mounted.status, "Success", mounted.message)
        XCTAssertTrue(VolumeTestMounts.isMountPoint(pod))
        try Data("from the pod\n".utf8).write(to: URL(fileURLWithPath: "\(pod)/file"))
        XCTAssertEqual(try String(contentsOfFile: "\(fixture.volumes)/data/file", encoding: .utf8), "from the pod\n",
                       "a write in kubelet's directory lands in the driver's storage")
        XCTAssertEqual(try call(["mount", pod, options]).status, "Success", "mount is idempotent per directory")

        let inspect = try fixture.paddock(["volume", "inspect", "data", "--format", "json"])
        let mounts = try XCTUnwrap((inspect.json as? [String: Any])?["mounts"] as? [[String: Any]], inspect.stdout + inspect.stderr)
        XCTAssertEqual(mounts.count, 1)
        XCTAssertEqual(mounts.first?["target"] as? String, pod)

        let unmounted = try call(["unmount", pod])
        XCTAssertEqual(unmounted.status, "Success", unmounted.message)
        XCTAssertFalse(VolumeTestMounts.isMountPoint(pod))
        XCTAssertTrue(FileSystem.exists("\(fixture.volumes)/data/file"), "unmount keeps the data")
        XCTAssertEqual(try call(["unmount", pod]).status, "Success", "unmount of an unmounted directory succeeds")
        let after = try fixture.paddock(["volume", "inspect", "data", "--format", "json"])
        XCTAssertEqual(((after.json as? [String: Any])?["mounts"] as? [Any])?.count, 0)
    }

    func testReadOnlyMountRefusesWrites() throws {
        try requireRootForVolumes()
        let pod = "\(fixture.temp.path)/kubelet/pods/uid-ro/volumes/paddock~dirvol/vol"
        addTeardownBlock { VolumeTestMounts.release(pod) }
        let mounted = try call(["mount", pod, #"{"volumeName":"ro","kubernetes.io/readwrite":"ro"}"#])
        XCTAssertEqual(mounted.status, "Success", mounted.message)
        XCTAssertFalse(FileManager.default.createFile(atPath: "\(pod)/nope", contents: Data()), "the bind mount is read-only")
        XCTAssertEqual(try call(["unmount", pod]).status, "Success")
    }

    func testBusyMountPointFailsClearlyAndStaysMountedAndRecorded() throws {
        try requireRootForVolumes()
        let pod = "\(fixture.temp.path)/kubelet/pods/uid-2/volumes/paddock~dirvol/vol"
        addTeardownBlock { VolumeTestMounts.release(pod) }
        XCTAssertEqual(try call(["mount", pod, #"{"volumeName":"busy"}"#]).status, "Success")
        let holder = try VolumeTestProcess("/bin/sleep", ["60"], output: "\(fixture.temp.path)/holder.log", currentDirectory: pod)
        addTeardownBlock { holder.stop(SIGKILL) }
        XCTAssertTrue(VolumeTestWait.until(5) { (try? FileSystem.realPath("/proc/\(holder.pid)/cwd")) == pod })

        let refused = try call(["unmount", pod])
        XCTAssertEqual(refused.status, "Failure")
        XCTAssertTrue(refused.message.contains("busy") && refused.message.contains(pod), refused.message)
        XCTAssertTrue(VolumeTestMounts.isMountPoint(pod), "a refused unmount leaves the mount")
        let inspect = try fixture.paddock(["volume", "inspect", "busy", "--format", "json"])
        XCTAssertEqual(((inspect.json as? [String: Any])?["mounts"] as? [Any])?.count, 1, "and its record")

        holder.stop(SIGKILL)
        let released = try call(["unmount", pod])
        XCTAssertEqual(released.status, "Success", released.message)
        XCTAssertFalse(VolumeTestMounts.isMountPoint(pod))
    }

    func testBadVolumeNamesAndUnknownOptionsFailWithTheReason() throws {
        let pod = "\(fixture.temp.path)/kubelet/pods/uid-3/volumes/paddock~dirvol/vol"
        addTeardownBlock { VolumeTestMounts.release(pod) }
        let cases: [(String, String)] = [
            (#"{"volumeName":"../escape"}"#, "'/'"), (#"{"volumeName":".."}"#, "not allowed"),
            (#"{"volumeName":"nul\u0000x"}"#, "NUL"), (#"{"volumeName":"\#(String(repeating: "x", count: 256))"}"#, "over 255"),
            (#"{"volumeName":"ok","size":"10","bogus":"1"}"#, "does not know the options bogus, size"),
            (#"{"kubernetes.io/fsType":"ext4"}"#, "name no volume"),
        ]
        for (options, fragment) in cases {
            let answer = try call(["mount", pod, options])
            XCTAssertEqual(answer.status, "Failure", options)
            XCTAssertTrue(answer.message.contains(fragment), "\(answer.message) lacks \(fragment)")
            XCTAssertFalse(VolumeTestMounts.isMountPoint(pod))
        }
        XCTAssertEqual(try FileSystem.list(fixture.volumes), [], "nothing was created")
    }
}
