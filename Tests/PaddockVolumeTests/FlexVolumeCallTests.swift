import PaddockJSON
import PaddockVolume
import XCTest

final class FlexVolumeCallTests: XCTestCase {
    let json = #"{"kubernetes.io/fsType":"ext4","kubernetes.io/readwrite":"ro","kubernetes.io/pvOrVolumeName":"pv1","volumeName":"data","size":"1"}"#

    func testEveryCallOutParsesInTheSpecsArgumentOrder() throws {
        let options = try JSONValue(parsing: json)
        let table: [([String], FlexVolumeCall)] = [
            (["init"], .initialize),
            (["getvolumename", json], .getVolumeName(options: options)),
            (["attach", json, "node1"], .attach(options: options, node: "node1")),
            (["detach", "pv1", "node1"], .detach(volume: "pv1", node: "node1")),
            (["waitforattach", "/dev/xvdf", json], .waitForAttach(device: "/dev/xvdf", options: options)),
            (["isattached", json, "node1"], .isAttached(options: options, node: "node1")),
            (["mountdevice", "/var/lib/kubelet/plugins/dev", "/dev/xvdf", json],
             .mountDevice(directory: "/var/lib/kubelet/plugins/dev", device: "/dev/xvdf", options: options)),
            (["unmountdevice", "/var/lib/kubelet/plugins/dev"], .unmountDevice(directory: "/var/lib/kubelet/plugins/dev")),
            (["unmountdevice", "/var/lib/kubelet/plugins/dev", "/dev/xvdf"], .unmountDevice(directory: "/var/lib/kubelet/plugins/dev")),
            (["mount", "/var/lib/kubelet/pods/u/volumes/paddock~dirvol/v", json],
             .mount(directory: "/var/lib/kubelet/pods/u/volumes/paddock~dirvol/v", options: options)),
            (["unmount", "/var/lib/kubelet/pods/u/volumes/paddock~dirvol/v"], .unmount(directory: "/var/lib/kubelet/pods/u/volumes/paddock~dirvol/v")),
            (["expandvolume", json, "2Gi"], .other("expandvolume")),
        ]
        for (arguments, expected) in table {
            XCTAssertEqual(try FlexVolumeCall.parse(arguments), expected, arguments.joined(separator: " "))
        }
    }

    func testWrongArgumentsNameTheUsage() {
        let cases: [([String], String)] = [
            ([], "no call-out"), (["init", "extra"], "init takes 0 arguments"),
            (["mount", "/dir"], "usage: mount <mount dir> <json options>"),
            (["attach", "{}"], "usage: attach <json options> <node name>"),
            (["mount", "/dir", "not json"], "not JSON"), (["mount", "/dir", "[1]"], "JSON object, not array"),
            (["mountdevice", "/dir", "{}"], "mountdevice takes 3 arguments"),
        ]
        for (arguments, fragment) in cases {
            XCTAssertThrowsError(try FlexVolumeCall.parse(arguments)) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(error) lacks \(fragment)")
            }
        }
    }

    func testOptionsSplitIntoNameReadOnlyAndDriverOptions() throws {
        let parsed = FlexVolumeOptions(try JSONValue(parsing: json))
        XCTAssertEqual(parsed.volumeName, "data")
        XCTAssertTrue(parsed.readOnly)
        XCTAssertEqual(parsed.driverOptions, ["size": "1"])
        let fallback = FlexVolumeOptions(try JSONValue(parsing: #"{"kubernetes.io/pvOrVolumeName":"pv1","kubernetes.io/readwrite":"rw"}"#))
        XCTAssertEqual(fallback.volumeName, "pv1")
        XCTAssertFalse(fallback.readOnly)
        XCTAssertThrowsError(try FlexVolumeOptions(.object([:])).requireName("mount"))
    }

    func testResultsSerializeAsKubeletReadsThem() throws {
        let initialized = FlexVolumeResult(.success, capabilities: ["attach": false]).json
        XCTAssertEqual(initialized, try JSONValue(parsing: #"{"status":"Success","capabilities":{"attach":false}}"#))
        let failure = FlexVolumeResult(.failure, message: "boom")
        XCTAssertEqual(failure.json, try JSONValue(parsing: #"{"status":"Failure","message":"boom"}"#))
        XCTAssertEqual(failure.exitCode, 1)
        XCTAssertEqual(FlexVolumeResult(.notSupported).json["status"], "Not supported")
        XCTAssertEqual(FlexVolumeResult(.success, attached: true).json["attached"], true)
    }

    func testInstalledScriptPinsTheHostDirectoriesAndQuotesThem() {
        let installer = FlexVolumeInstaller(executable: "/opt/paddock bin/paddock", stateDirectory: "/var/lib/it's",
                                            pluginPath: ["/a", "/b"], configDirectory: "/etc/paddock")
        let script = installer.script(driver: "dirvol")
        XCTAssertTrue(script.hasPrefix("#!/bin/sh\n"))
        XCTAssertTrue(script.contains("PADDOCK_STATE_DIR='/var/lib/it'\\''s'"))
        XCTAssertTrue(script.contains("PADDOCK_PLUGIN_PATH='/a:/b'"))
        XCTAssertTrue(script.contains("exec '/opt/paddock bin/paddock' flexvolume 'dirvol' \"$@\""))
        XCTAssertEqual(FlexVolumeInstaller.vendorDirectory(driver: "dirvol"), "paddock~dirvol")
    }

    func testMountIDsAreStablePerDirectory() {
        let a = FlexVolumeAdapter.mountID(directory: "/var/lib/kubelet/pods/a/volumes/x")
        XCTAssertEqual(a, FlexVolumeAdapter.mountID(directory: "/var/lib/kubelet/pods/a/volumes/x"))
        XCTAssertNotEqual(a, FlexVolumeAdapter.mountID(directory: "/var/lib/kubelet/pods/b/volumes/x"))
        XCTAssertEqual(a.count, 4 + 32)
    }
}
