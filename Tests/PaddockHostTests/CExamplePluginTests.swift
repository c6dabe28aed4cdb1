import Foundation
import PaddockPosix
import XCTest

/// The C example built as a third party would (system cc, the header only), dropped into a plugin
/// directory, listed, enabled and called through the real binary.
final class CExamplePluginTests: XCTestCase {
    func build(into directory: String) throws -> String {
        let example = "\(Harness.packageRoot)/examples/c-plugin"
        return try Harness.compile(["\(example)/dirvol.c", "\(example)/json_min.c"],
                                   output: "\(directory)/dirvol.so", extraFlags: ["-Wall", "-Wextra", "-Werror"])
    }

    func testThirdPartyCPluginListsEnablesAndServesVolumes() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        let volumes = try temp.subdirectory("volumes")
        _ = try build(into: plugins)

        let list = try Harness.paddock(["plugin", "list", "--format", "json"], pluginPath: plugins, stateDir: state)
        let row = try XCTUnwrap((list.json as? [[String: Any]])?.first)
        XCTAssertEqual(row["name"] as? String, "dirvol")
        XCTAssertEqual(row["kinds"] as? [String], ["storage"])
        XCTAssertEqual(row["status"] as? String, "disabled")

        let config = "\(temp.path)/dirvol.json"
        try Data(#"{"base": "\#(volumes)"}"#.utf8).write(to: URL(fileURLWithPath: config))
        let enable = try Harness.paddock(["plugin", "enable", "dirvol", "--config", config], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(enable.status, .exited(0), enable.stderr)

        func invoke(_ op: String, _ request: String) throws -> Harness.Run {
            try Harness.paddock(["plugin", "invoke", "dirvol", "storage.\(op)", request, "--format", "json"], pluginPath: plugins, stateDir: state)
        }
        XCTAssertEqual(try invoke("create", #"{"name":"data"}"#).status, .exited(0))
        var isDirectory: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(volumes)/data", isDirectory: &isDirectory) && isDirectory.boolValue)

        let mount = try invoke("mount", #"{"name":"data","id":"c1"}"#)
        XCTAssertEqual(mount.status, .exited(0), mount.stdout)
        XCTAssertEqual((mount.json as? [String: Any])?["mountpoint"] as? String, "\(volumes)/data")
        XCTAssertEqual(try invoke("mount", #"{"name":"data","id":"c2"}"#).status, .exited(0))

        // Mount refcounts live in the host's store, so they survive across processes.
        let get = try invoke("get", #"{"name":"data"}"#)
        XCTAssertEqual(((get.json as? [String: Any])?["status"] as? [String: Any])?["mounts"] as? Int, 2)
        let busy = try invoke("remove", #"{"name":"data"}"#)
        XCTAssertEqual(busy.status, .exited(1))
        XCTAssertEqual((busy.json as? [String: Any])?["code"] as? Int, 103)
        XCTAssertTrue(FileSystem.exists("\(volumes)/data"), "a refused remove changes nothing")

        XCTAssertEqual(try invoke("unmount", #"{"name":"data","id":"c1"}"#).status, .exited(0))
        XCTAssertEqual(try invoke("unmount", #"{"name":"data","id":"c2"}"#).status, .exited(0))
        XCTAssertEqual(try invoke("unmount", #"{"name":"data","id":"c2"}"#).status, .exited(0), "unmount is idempotent")
        let listed = try invoke("list", "{}")
        XCTAssertEqual(((listed.json as? [String: Any])?["volumes"] as? [[String: Any]])?.compactMap { $0["name"] as? String }, ["data"])
        XCTAssertEqual(try invoke("remove", #"{"name":"data"}"#).status, .exited(0))
        XCTAssertFalse(FileSystem.exists("\(volumes)/data"))
        XCTAssertEqual(try invoke("remove", #"{"name":"data"}"#).status, .exited(0), "remove of an absent volume succeeds")

        // attach is NULL in its table: the host answers "not supported" without calling it.
        let attach = try invoke("attach", #"{"name":"data"}"#)
        XCTAssertEqual(attach.status, .exited(1))
        XCTAssertEqual((attach.json as? [String: Any])?["code"] as? Int, 100)
    }

    func testBadVolumeNamesAreRefusedAndChangeNothing() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        let volumes = try temp.subdirectory("volumes")
        _ = try build(into: plugins)
        let config = "\(temp.path)/dirvol.json"
        try Data(#"{"base": "\#(volumes)"}"#.utf8).write(to: URL(fileURLWithPath: config))
        XCTAssertEqual(try Harness.paddock(["plugin", "enable", "dirvol", "--config", config], pluginPath: plugins, stateDir: state).status, .exited(0))
        let long = String(repeating: "x", count: 256)
        let cases: [(String, Int)] = [
            (#"{"name":"../escape"}"#, 7), (#"{"name":".."}"#, 7), (#"{"name":"a/b"}"#, 7),
            (#"{"name":"\#(long)"}"#, 7), (#"{"name":"nul\u0000byte"}"#, 6), (#"{"nome":"x"}"#, 7),
            ("not json", 6), (#"{"name": 5}"#, 7), ("", 7),
        ]
        for (request, code) in cases {
            let run = try Harness.paddock(["plugin", "invoke", "dirvol", "storage.create", request, "--format", "json"],
                                          pluginPath: plugins, stateDir: state)
            XCTAssertEqual(run.status, .exited(1), request)
            let document = try XCTUnwrap(run.json as? [String: Any], "\(request): \(run.stdout)")
            XCTAssertEqual(document["code"] as? Int, code, request)
            XCTAssertNotNil(document["msg"] as? String)
            XCTAssertNotNil(document["details"] as? String)
        }
        XCTAssertEqual(try FileSystem.list(volumes), [], "nothing was created")
        XCTAssertEqual(try FileSystem.list(temp.path).filter { $0 == "escape" }, [])
    }

    func testThePkgConfigFileFindsTheHeader() throws {
        let temp = try temporaryDirectory()
        let prefix = try temp.subdirectory("prefix")
        let install = try ChildProcess.run("/bin/sh", arguments: ["\(Harness.packageRoot)/scripts/install-sdk", prefix], timeoutSeconds: 60)
        XCTAssertEqual(install.termination, .exited(0), String(decoding: install.stderr, as: UTF8.self))
        var env = ChildProcess.currentEnvironment()
        env["PKG_CONFIG_PATH"] = "\(prefix)/lib/pkgconfig"
        let flags = try ChildProcess.run("/usr/bin/pkg-config", arguments: ["--cflags", "paddock"], environment: env, timeoutSeconds: 30)
        guard flags.termination == .exited(0) else {
            throw XCTSkip("pkg-config is not installed (Debian pkgconf); .ci/run installs it")
        }
        XCTAssertEqual(String(decoding: flags.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), "-I\(prefix)/include")
        // Build with make exactly as the example's Makefile says, using pkg-config only.
        let plugins = try temp.subdirectory("plugins")
        let make = try ChildProcess.run("/usr/bin/make", arguments: ["-C", "\(Harness.packageRoot)/examples/c-plugin", "-B",
                                                                     "OUT=\(plugins)/dirvol.so"],
                                        environment: env, timeoutSeconds: 120)
        XCTAssertEqual(make.termination, .exited(0), String(decoding: make.stderr, as: UTF8.self))
        XCTAssertTrue(FileSystem.exists("\(plugins)/dirvol.so"))
    }
}
