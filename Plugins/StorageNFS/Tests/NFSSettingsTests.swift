import PaddockJSON
import StorageNFSCore
import XCTest

final class NFSSettingsTests: XCTestCase {
    func settings(_ json: String) throws -> NFSSettings { try NFSSettings(config: try JSONValue(parsing: json)) }
    func name(_ text: String) throws -> VolumeName { try VolumeName(validating: text) }

    func testExportBaseGivesADirectoryPerVolume() throws {
        let config = try settings(#"{"host":"198.18.0.10","exportBase":"/exports/volumes/"}"#)
        let a = try config.volume(try name("a"), options: nil)
        let b = try config.volume(try name("b"), options: nil)
        XCTAssertEqual(a.location, ServerLocation(host: "198.18.0.10", port: 2049, path: "/exports/volumes/a"))
        XCTAssertEqual(a.parent.path, "/exports/volumes")
        XCTAssertNotEqual(a.location, b.location)
        XCTAssertFalse(a.location.overlaps(b.location))
        XCTAssertEqual(a.onRemove, .purge, "rancher-nfs purges by default")
        XCTAssertEqual(a.location.url(version: a.version), "nfs://198.18.0.10/exports/volumes/a?version=4&nfsport=2049")
    }

    func testExportIsUsedAsIsAndRetainedByDefault() throws {
        let config = try settings(#"{"host":"nfs.example","export":"/shared","port":"20049"}"#)
        let volume = try config.volume(try name("v"), options: nil)
        XCTAssertEqual(volume.location, ServerLocation(host: "nfs.example", port: 20049, path: "/shared"))
        XCTAssertEqual(volume.onRemove, .retain)
        XCTAssertEqual(try config.volume(try name("v"), options: ["onRemove": "purge"]).onRemove, .purge)
        XCTAssertThrowsError(try config.volume(try name("v"), options: ["onRemove": "archive"]))
    }

    func testVolumeOptionsOverrideTheEnableConfig() throws {
        let config = try settings(#"{"host":"198.18.0.10","exportBase":"/base","onRemove":"retain","mntOptions":"soft"}"#)
        let volume = try config.volume(try name("v"), options: [
            "host": "198.18.0.11", "port": "3049", "export": "/other", "mntOptions": "hard,ro", "onRemove": "purge",
            "kubernetes.io/fsType": "", "kubernetes.io/pvOrVolumeName": "pv1",
        ])
        XCTAssertEqual(volume.location, ServerLocation(host: "198.18.0.11", port: 3049, path: "/other"))
        XCTAssertEqual(volume.mntOptions, ["hard", "ro"])
        XCTAssertEqual(volume.onRemove, .purge)
        XCTAssertEqual(volume.kernelMountOptions, "hard,ro,port=3049,vers=4")
        XCTAssertEqual(volume.fuseMountOptions.honoured, ["ro"])
        XCTAssertEqual(volume.fuseMountOptions.ignored, ["hard"])
        let inherited = try config.volume(try name("w"), options: [:])
        XCTAssertEqual(inherited.onRemove, .retain)
        XCTAssertEqual(inherited.mntOptions, ["soft"])
    }

    func testUnknownOptionsAreRefusedByName() throws {
        XCTAssertThrowsError(try settings(#"{"host":"h","exportBase":"/b","sizeGB":5}"#)) { error in
            XCTAssertTrue("\(error)".contains("\"sizeGB\""), "\(error)")
        }
        let config = try settings(#"{"host":"h","exportBase":"/b"}"#)
        XCTAssertThrowsError(try config.volume(try name("v"), options: ["size": "5"])) { error in
            XCTAssertTrue("\(error)".contains("\"size\""), "\(error)")
        }
        // nfsVersion belongs to the host's config, not to a volume (as in rancher-nfs).
        XCTAssertThrowsError(try config.volume(try name("v"), options: ["nfsVersion": "3"]))
    }

    func testBadValuesAreRefusedWithAFix() throws {
        let bad = [
            #"{"host":"h","export":"/a","exportBase":"/b"}"#, #"{"host":"h/x","exportBase":"/b"}"#,
            #"{"host":"h","exportBase":"relative"}"#, #"{"host":"h","exportBase":"/a/../b"}"#,
            #"{"host":"h","exportBase":"/a?b"}"#, #"{"host":"h","port":70000}"#, #"{"host":"h","port":"x"}"#,
            #"{"host":"h","onRemove":"delete"}"#, #"{"host":"h","nfsVersion":"5"}"#, #"{"host":"h","mountMode":"magic"}"#,
            #"{"host":"h","timeout":0}"#, #"{"host":"h","mntOptions":"a,,b"}"#, #"{"host":5}"#, "[]",
        ]
        for json in bad {
            XCTAssertThrowsError(try settings(json), json) { error in
                XCTAssertFalse((error as? NFSSettingsError)?.fix.isEmpty ?? true, json)
            }
        }
        let noExport = try settings(#"{"host":"h"}"#)
        XCTAssertThrowsError(try noExport.volume(try name("v"), options: nil)) { error in
            XCTAssertTrue("\(error)".contains("exportBase"))
        }
        let noHost = try settings(#"{"exportBase":"/b"}"#)
        XCTAssertThrowsError(try noHost.volume(try name("v"), options: nil))
        XCTAssertEqual(try noHost.volume(try name("v"), options: ["host": "198.18.0.9"]).host, "198.18.0.9")
    }

    func testVersionsInRancherForms() throws {
        XCTAssertEqual(try NFSVersion(parsing: "4"), NFSVersion(major: 4))
        XCTAssertEqual(try NFSVersion(parsing: "nfsvers=4.1"), NFSVersion(major: 4, minor: 1))
        XCTAssertEqual(try NFSVersion(parsing: "vers=3"), NFSVersion(major: 3))
        XCTAssertEqual(NFSVersion(major: 3).kernelType, "nfs")
        for bad in ["3.1", "4.3", "2", "", "four"] { XCTAssertThrowsError(try NFSVersion(parsing: bad), bad) }
    }

    func testMountModeFollowsProcFilesystems() {
        let without = "nodev\tsysfs\nnodev\tproc\n\text4\nnodev\tfuse\n"
        let with = without + "nodev\tnfs\nnodev\tnfs4\n"
        XCTAssertFalse(MountMode.kernelSupports(NFSVersion(major: 4), filesystems: without))
        XCTAssertTrue(MountMode.kernelSupports(NFSVersion(major: 4), filesystems: with))
        XCTAssertEqual(MountMode.auto.resolved(kernelHasNFS: false), .fuse)
        XCTAssertEqual(MountMode.auto.resolved(kernelHasNFS: true), .kernel)
        XCTAssertEqual(MountMode.fuse.resolved(kernelHasNFS: true), .fuse)
    }
}
