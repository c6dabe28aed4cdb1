import Foundation
import Glibc
import PaddockPosix
import XCTest

/// kubelet's FlexVolume calls with the NFS driver against nfs-ganesha: a pod's write lands on the
/// server's export through the userspace mount bind-mounted onto the pod's directory.
final class FlexVolumeNFSTests: XCTestCase {
    func testPodWritesLandOnTheNFSServerAndDeleteHonoursRetain() throws {
        try requireRootForVolumes()
        let temp = try temporaryDirectory("pdflexnfs-\(getpid())")
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        let mounts = try temp.subdirectory("mnt")
        symlink(try Harness.swiftPlugin("StorageNFS"), "\(plugins)/libStorageNFS.so")
        let nfs = try NFSGanesha(in: try temp.subdirectory("server"))
        addTeardownBlock {
            unmountEverything(under: temp.path)
            nfs.stop()
        }
        func paddock(_ arguments: [String]) throws -> Harness.Run {
            try Harness.paddock(arguments, pluginPath: plugins, stateDir: state, timeout: 90)
        }
        let config = "\(temp.path)/nfs.json"
        try JSONSerialization.data(withJSONObject: ["host": "127.0.0.1", "port": nfs.port, "exportBase": "/export",
                                                    "mountDir": mounts, "timeout": 5] as [String: Any])
            .write(to: URL(fileURLWithPath: config))
        XCTAssertEqual(try paddock(["plugin", "enable", "nfs", "--config", config]).status, .exited(0))
        let exec = "\(temp.path)/exec"
        XCTAssertEqual(try paddock(["flexvolume", "install", "nfs", "--dir", exec]).status, .exited(0))
        let driver = "\(exec)/paddock~nfs/nfs"
        func call(_ arguments: [String]) throws -> [String: Any] {
            let outcome = try ChildProcess.run(driver, arguments: arguments, environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"],
                                               timeoutSeconds: 90)
            let combined = outcome.stdout + outcome.stderr
            return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(combined)) as? [String: Any],
                                 String(decoding: combined, as: UTF8.self))
        }

        let initialized = try call(["init"])
        XCTAssertEqual(initialized["status"] as? String, "Success")
        XCTAssertEqual((initialized["capabilities"] as? [String: Any])?["attach"] as? Bool, false)

        let pod = "\(temp.path)/kubelet/pods/uid-nfs/volumes/paddock~nfs/data"
        let mounted = try call(["mount", pod, #"{"volumeName":"k8s","onRemove":"retain","kubernetes.io/readwrite":"rw","kubernetes.io/pod.name":"p"}"#])
        XCTAssertEqual(mounted["status"] as? String, "Success", "\(mounted)")
        try Data("from a pod\n".utf8).write(to: URL(fileURLWithPath: "\(pod)/note"))
        XCTAssertEqual(try String(contentsOfFile: "\(nfs.exportDirectory)/k8s/note", encoding: .utf8), "from a pod\n")

        let unmounted = try call(["unmount", pod])
        XCTAssertEqual(unmounted["status"] as? String, "Success", "\(unmounted)")
        XCTAssertFalse(VolumeTestMounts.isMountPoint(pod))
        XCTAssertFalse(VolumeTestMounts.isMountPoint("\(mounts)/k8s"), "the driver released its userspace mount with the last holder")

        XCTAssertEqual(try paddock(["volume", "delete", "k8s", "--driver", "nfs"]).status, .exited(0))
        XCTAssertEqual(try String(contentsOfFile: "\(nfs.exportDirectory)/k8s/note", encoding: .utf8), "from a pod\n",
                       "onRemove retain, given as a FlexVolume option, kept the data")
    }
}
