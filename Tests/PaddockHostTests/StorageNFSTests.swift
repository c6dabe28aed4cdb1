import Foundation
import Glibc
import PaddockHost
import PaddockPosix
import XCTest

/// The nfs storage driver through the real `paddock` binary against nfs-ganesha on 127.0.0.1:
/// volumes provisioned over NFS (libnfs), mounted in userspace (this kernel has no NFS client),
/// data checked on the server's side of the export.
final class StorageNFSTests: XCTestCase {
    struct Env {
        var temp: TemporaryDirectory
        var plugins: String
        var state: String
        var mounts: String
        var server: NFSGanesha?

        var export: String { server?.exportDirectory ?? "" }

        func paddock(_ arguments: [String], timeout: Double = 90) throws -> Harness.Run {
            try Harness.paddock(arguments, pluginPath: plugins, stateDir: state, timeout: timeout)
        }

        /// `paddock plugin invoke nfs storage.OP REQUEST --format json`.
        func invoke(_ op: String, _ request: [String: Any], timeout: Double = 90) throws -> Harness.Run {
            let text = String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)
            return try invoke(op, raw: text, timeout: timeout)
        }

        func invoke(_ op: String, raw: String, timeout: Double = 90) throws -> Harness.Run {
            try paddock(["plugin", "invoke", "nfs", "storage.\(op)", raw, "--format", "json"], timeout: timeout)
        }

        func enable(_ config: [String: Any]) throws -> Harness.Run {
            let file = "\(temp.path)/nfs-\(UUID().uuidString).json"
            try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: file))
            return try paddock(["plugin", "enable", "nfs", "--config", file])
        }
    }

    /// A unique temp dir (pid in its name), ganesha, the plugin linked into a plugin dir, and the
    /// driver enabled against the server. Teardown unmounts, stops the server and removes it all.
    func setUpDriver(server wanted: Bool = true, leaseSeconds: Int = 60, config extra: [String: Any] = [:]) throws -> Env {
        let temp = try temporaryDirectory("paddock-nfs-\(getpid())")
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        let mounts = try temp.subdirectory("mnt")
        symlink(try Harness.swiftPlugin("StorageNFS"), "\(plugins)/libStorageNFS.so")
        let server = wanted ? try NFSGanesha(in: try temp.subdirectory("server"), leaseSeconds: leaseSeconds) : nil
        // Registered after the temp dir's removal block, so it runs first (teardown is LIFO).
        addTeardownBlock {
            unmountEverything(under: temp.path)
            server?.stop()
        }
        var env = Env(temp: temp, plugins: plugins, state: state, mounts: mounts, server: server)
        var config: [String: Any] = ["host": "127.0.0.1", "port": server?.port ?? 2049, "exportBase": "/export",
                                     "mountDir": mounts, "timeout": 5]
        for (key, value) in extra { config[key] = value }
        let enable = try env.enable(config)
        XCTAssertEqual(enable.status, .exited(0), enable.stderr)
        env.server = server
        return env
    }

    func object(_ run: Harness.Run, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        try XCTUnwrap(run.json as? [String: Any], "\(run.stdout) \(run.stderr)", file: file, line: line)
    }

    func assertSuccess(_ run: Harness.Run, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(run.status, .exited(0), "\(what): \(run.stdout) \(run.stderr)", file: file, line: line)
    }

    func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    func isMounted(_ path: String) -> Bool {
        let mountinfo = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        return mountinfo.split(separator: "\n").contains { $0.split(separator: " ").count > 4 && $0.split(separator: " ")[4] == path }
    }

    // MARK: -

    func testCreateMakesTheDirectoryOnTheExportAndMountedWritesLandOnTheServer() throws {
        let env = try setUpDriver()
        let create = try env.invoke("create", ["name": "data", "options": ["mntOptions": "noatime"]])
        assertSuccess(create, "create")
        XCTAssertEqual(try object(create)["name"] as? String, "data")
        XCTAssertTrue(isDirectory("\(env.export)/data"), "create made the directory over NFS, no mount involved")
        XCTAssertFalse(isMounted("\(env.mounts)/data"))

        let mount = try env.invoke("mount", ["name": "data", "id": "container-1"])
        assertSuccess(mount, "mount")
        let mountpoint = try XCTUnwrap(try object(mount)["mountpoint"] as? String)
        XCTAssertEqual(mountpoint, "\(env.mounts)/data")
        XCTAssertEqual(try object(mount)["via"] as? String, "fuse", "this kernel has no NFS client")
        XCTAssertTrue(isMounted(mountpoint))

        // Written through the mount (as a container would), read on the server's side.
        let payload = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try payload.write(to: URL(fileURLWithPath: "\(mountpoint)/blob.bin"))
        try FileManager.default.createDirectory(atPath: "\(mountpoint)/sub/dir", withIntermediateDirectories: true)
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: "\(mountpoint)/sub/dir/note.txt"))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(env.export)/data/blob.bin")), payload)
        XCTAssertEqual(try String(contentsOfFile: "\(env.export)/data/sub/dir/note.txt", encoding: .utf8), "hello\n")
        // And the other way round.
        try Data("from the server\n".utf8).write(to: URL(fileURLWithPath: "\(env.export)/data/server.txt"))
        XCTAssertEqual(try String(contentsOfFile: "\(mountpoint)/server.txt", encoding: .utf8), "from the server\n")
        XCTAssertEqual(rename("\(mountpoint)/server.txt", "\(mountpoint)/renamed.txt"), 0)
        XCTAssertTrue(FileSystem.exists("\(env.export)/data/renamed.txt"))
        XCTAssertEqual(unlink("\(mountpoint)/renamed.txt"), 0)
        XCTAssertFalse(FileSystem.exists("\(env.export)/data/renamed.txt"))

        // A second user shares the mount; the mount stays until the last one leaves.
        let second = try env.invoke("mount", ["name": "data", "id": "container-2"])
        assertSuccess(second, "second mount")
        XCTAssertEqual(try object(second)["mountpoint"] as? String, mountpoint)
        let get = try object(try env.invoke("get", ["name": "data"]))
        let status = try XCTUnwrap(get["status"] as? [String: Any])
        XCTAssertEqual(status["mounts"] as? Int, 2)
        XCTAssertEqual(status["mountPath"] as? String, "fuse")
        XCTAssertEqual(status["server"] as? String, "127.0.0.1:\(env.server!.port)/export/data")
        XCTAssertEqual(try object(try env.invoke("capabilities", [:]))["mountPath"] as? String, "fuse")
        XCTAssertEqual(try object(try env.invoke("path", ["name": "data"]))["mountpoint"] as? String, mountpoint)

        assertSuccess(try env.invoke("unmount", ["name": "data", "id": "container-1"]), "unmount 1")
        XCTAssertTrue(isMounted(mountpoint), "container-2 still uses it")
        assertSuccess(try env.invoke("unmount", ["name": "data", "id": "container-2"]), "unmount 2")
        XCTAssertFalse(isMounted(mountpoint))
        assertSuccess(try env.invoke("unmount", ["name": "data", "id": "container-2"]), "unmount is idempotent")
        XCTAssertEqual((try object(try env.invoke("get", ["name": "data"]))["status"] as? [String: Any])?["mounts"] as? Int, 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(env.export)/data/blob.bin")), payload, "data outlives the mount")
    }

    func testOwnersModesAndTimesOfFilesAndDirectoriesCanBeSetThroughTheMount() throws {
        // What a database image's entrypoint does to its data directory (the volume's root).
        let env = try setUpDriver()
        assertSuccess(try env.invoke("create", ["name": "db"]), "create")
        let root = try XCTUnwrap(try object(try env.invoke("mount", ["name": "db", "id": "c1"]))["mountpoint"] as? String)
        let server = "\(env.export)/db"
        XCTAssertEqual(mkdir("\(root)/sub", 0o755), 0)
        try Data("f".utf8).write(to: URL(fileURLWithPath: "\(root)/sub/file"))
        for path in [root, "\(root)/sub", "\(root)/sub/file"] {
            XCTAssertEqual(chown(path, 999, 998), 0, "chown \(path): errno \(errno)")
            XCTAssertEqual(chmod(path, 0o700), 0, "chmod \(path): errno \(errno)")
            var times = [timeval(tv_sec: 1_600_000_000, tv_usec: 0), timeval(tv_sec: 1_600_000_000, tv_usec: 0)]
            XCTAssertEqual(utimes(path, &times), 0, "utimes \(path): errno \(errno)")
        }
        for path in [server, "\(server)/sub", "\(server)/sub/file"] {
            var info = stat()
            XCTAssertEqual(stat(path, &info), 0)
            XCTAssertEqual(info.st_mode & 0o7777, 0o700, path)
            XCTAssertEqual(info.st_uid, 999, path)
            XCTAssertEqual(info.st_gid, 998, path)
            XCTAssertEqual(info.st_mtim.tv_sec, 1_600_000_000, path)
        }
        assertSuccess(try env.invoke("unmount", ["name": "db", "id": "c1"]), "unmount")
    }

    func testConcurrentMountsAndUnmountsFromSeveralProcessesKeepOneMountAndACorrectCount() throws {
        let env = try setUpDriver()
        assertSuccess(try env.invoke("create", ["name": "shared"]), "create")
        let ids = (1...4).map { "c\($0)" }
        func parallel(_ op: String) -> [Harness.Run?] {
            let results = ResultBox(count: ids.count)
            DispatchQueue.concurrentPerform(iterations: ids.count) { index in
                results.set(index, try? env.invoke(op, ["name": "shared", "id": ids[index]]))
            }
            return results.values
        }
        for (index, run) in parallel("mount").enumerated() {
            XCTAssertEqual(run?.status, .exited(0), "mount \(ids[index]): \(run?.stdout ?? "") \(run?.stderr ?? "")")
        }
        let target = "\(env.mounts)/shared"
        let mountinfo = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        XCTAssertEqual(mountinfo.split(separator: "\n").filter { $0.split(separator: " ")[4] == target }.count, 1,
                       "one mount, not one per process")
        let status = try XCTUnwrap(try object(try env.invoke("get", ["name": "shared"]))["status"] as? [String: Any])
        XCTAssertEqual(status["mounts"] as? Int, 4)
        for (index, run) in parallel("unmount").enumerated() {
            XCTAssertEqual(run?.status, .exited(0), "unmount \(ids[index]): \(run?.stdout ?? "")")
        }
        XCTAssertFalse(isMounted(target), "the last one out unmounted")
        XCTAssertEqual((try object(try env.invoke("get", ["name": "shared"]))["status"] as? [String: Any])?["mounts"] as? Int, 0)
    }

    func testAnExplicitTargetIsMountedThereAndCountedApart() throws {
        let env = try setUpDriver()
        assertSuccess(try env.invoke("create", ["name": "v"]), "create")
        let pod = try env.temp.subdirectory("pods/pod-1/volumes/v")
        let mount = try env.invoke("mount", ["name": "v", "id": "pod-1", "target": pod])
        assertSuccess(mount, "mount on a target")
        XCTAssertEqual(try object(mount)["mountpoint"] as? String, pod)
        assertSuccess(try env.invoke("mount", ["name": "v", "id": "c1"]), "mount on the default place")
        try Data("pod".utf8).write(to: URL(fileURLWithPath: "\(pod)/f"))
        XCTAssertEqual(try String(contentsOfFile: "\(env.mounts)/v/f", encoding: .utf8), "pod", "both show the same server directory")
        assertSuccess(try env.invoke("unmount", ["name": "v", "id": "pod-1", "target": pod]), "unmount the target")
        XCTAssertFalse(isMounted(pod))
        XCTAssertTrue(isMounted("\(env.mounts)/v"))
        assertSuccess(try env.invoke("unmount", ["name": "v", "id": "c1"]), "unmount the default")
        XCTAssertFalse(isMounted("\(env.mounts)/v"))
    }

    func testRemovePurgesRetainsOrArchivesAsAsked() throws {
        let env = try setUpDriver()
        for (name, onRemove) in [("purged", "purge"), ("kept", "retain"), ("archived", "archive"), ("default", "")] {
            let options: [String: Any] = onRemove.isEmpty ? [:] : ["onRemove": onRemove]
            assertSuccess(try env.invoke("create", ["name": name, "options": options]), "create \(name)")
            try FileManager.default.createDirectory(atPath: "\(env.export)/\(name)/nested", withIntermediateDirectories: true)
            try Data("x".utf8).write(to: URL(fileURLWithPath: "\(env.export)/\(name)/nested/file"))
            try Data("y".utf8).write(to: URL(fileURLWithPath: "\(env.export)/\(name)/top"))
        }
        let purged = try env.invoke("remove", ["name": "purged"])
        assertSuccess(purged, "remove purged")
        XCTAssertFalse(FileSystem.exists("\(env.export)/purged"), "purge deleted the directory and all in it")

        assertSuccess(try env.invoke("remove", ["name": "default"]), "remove default")
        XCTAssertFalse(FileSystem.exists("\(env.export)/default"), "purge is the default")

        let kept = try env.invoke("remove", ["name": "kept"])
        assertSuccess(kept, "remove kept")
        XCTAssertEqual(try object(kept)["onRemove"] as? String, "retain")
        XCTAssertEqual(try String(contentsOfFile: "\(env.export)/kept/nested/file", encoding: .utf8), "x")

        let archived = try env.invoke("remove", ["name": "archived"])
        assertSuccess(archived, "remove archived")
        XCTAssertFalse(FileSystem.exists("\(env.export)/archived"))
        let listing = try FileSystem.list(env.export)
        let archives = listing.filter { $0.hasPrefix("archived-archived-") }
        XCTAssertEqual(archives.count, 1, "\(listing)")
        guard archives.count == 1 else { return }
        XCTAssertEqual(try String(contentsOfFile: "\(env.export)/\(archives[0])/nested/file", encoding: .utf8), "x")
        XCTAssertEqual(try object(archived)["archivedAs"] as? String, "127.0.0.1:\(env.server!.port)/export/\(archives[0])")

        let list = try object(try env.invoke("list", [:]))
        XCTAssertEqual((list["volumes"] as? [[String: Any]])?.count, 0, "every record is gone")
        assertSuccess(try env.invoke("remove", ["name": "purged"]), "remove of an absent volume succeeds")

        // A mounted volume is not removed.
        assertSuccess(try env.invoke("create", ["name": "busy"]), "create busy")
        assertSuccess(try env.invoke("mount", ["name": "busy", "id": "c1"]), "mount busy")
        let refused = try env.invoke("remove", ["name": "busy"])
        XCTAssertEqual(refused.status, .exited(1))
        XCTAssertEqual(try object(refused)["code"] as? Int, 103)
        XCTAssertTrue(isDirectory("\(env.export)/busy"))
        assertSuccess(try env.invoke("unmount", ["name": "busy", "id": "c1"]), "unmount busy")
        assertSuccess(try env.invoke("remove", ["name": "busy"]), "remove busy")
    }

    func testTwoVolumesNeverShareADirectory() throws {
        let env = try setUpDriver()
        assertSuccess(try env.invoke("create", ["name": "a"]), "create a")
        assertSuccess(try env.invoke("create", ["name": "b"]), "create b")
        assertSuccess(try env.invoke("mount", ["name": "a", "id": "c"]), "mount a")
        assertSuccess(try env.invoke("mount", ["name": "b", "id": "c"]), "mount b")
        try Data("in a".utf8).write(to: URL(fileURLWithPath: "\(env.mounts)/a/f"))
        XCTAssertFalse(FileSystem.exists("\(env.mounts)/b/f"))
        XCTAssertEqual(try String(contentsOfFile: "\(env.export)/a/f", encoding: .utf8), "in a")
        XCTAssertFalse(FileSystem.exists("\(env.export)/b/f"))

        // An export-as-is volume on a's directory, or on the base that holds both, is refused.
        for export in ["/export/a", "/export"] {
            let clash = try env.invoke("create", ["name": "c", "options": ["export": export]])
            XCTAssertEqual(clash.status, .exited(1), export)
            XCTAssertEqual(try object(clash)["code"] as? Int, 102, export)
            XCTAssertTrue((try object(clash)["msg"] as? String ?? "").contains("share"), clash.stdout)
        }
        // Creating an existing name again with the same options is the same volume.
        assertSuccess(try env.invoke("create", ["name": "a"]), "create a again")
        // A file where the directory would go is not taken over.
        try Data().write(to: URL(fileURLWithPath: "\(env.export)/plainfile"))
        let onFile = try env.invoke("create", ["name": "plainfile"])
        XCTAssertEqual(onFile.status, .exited(1))
        XCTAssertEqual(try object(onFile)["code"] as? Int, 102)
        for name in ["a", "b"] { assertSuccess(try env.invoke("unmount", ["name": name, "id": "c"]), "unmount \(name)") }
    }

    func testBadNamesAndUnknownOptionsAreRefusedAndChangeNothing() throws {
        let env = try setUpDriver()
        let long = String(repeating: "v", count: 256)
        let cases: [(String, String)] = [
            (#"{"name":"a/b"}"#, "'/'"), (#"{"name":"../escape"}"#, "'/'"), (#"{"name":".."}"#, "directory itself"),
            (#"{"name":"nul\u0000byte"}"#, "NUL"), (#"{"name":"\#(long)"}"#, "256 bytes"), (#"{"name":""}"#, "empty"),
            (#"{"nome":"x"}"#, "\"name\""),
            (#"{"name":"ok","options":{"sizeGB":"5"}}"#, "\"sizeGB\""),
            (#"{"name":"ok","options":{"onRemove":"shred"}}"#, "onRemove"),
            (#"{"name":"ok","options":{"exportBase":"/export/../etc"}}"#, "'..'"),
            (#"{"name":"ok","options":{"port":"99999"}}"#, "port"),
        ]
        for (request, reason) in cases {
            let run = try env.invoke("create", raw: request)
            XCTAssertEqual(run.status, .exited(1), request)
            let document = try object(run)
            XCTAssertEqual(document["code"] as? Int, 7, request)
            XCTAssertTrue((document["msg"] as? String ?? "").contains(reason), "\(request): \(document)")
            XCTAssertFalse((document["details"] as? String ?? "").isEmpty, "\(request) says what to do")
        }
        XCTAssertEqual(try FileSystem.list(env.export), [], "nothing was created on the server")
        XCTAssertEqual(try FileSystem.list(env.temp.path).filter { $0 == "escape" }, [])
        XCTAssertEqual((try object(try env.invoke("list", [:]))["volumes"] as? [Any])?.count, 0)

        // Unknown keys in the enable config are refused by name before the driver runs.
        let enable = try env.enable(["host": "127.0.0.1", "exportBase": "/export", "exportbase": "/typo"])
        XCTAssertNotEqual(enable.status, .exited(0))
        XCTAssertTrue((enable.stdout + enable.stderr).contains("exportbase"), enable.stdout + enable.stderr)
    }

    func testAServerThatIsDownIsAClearBoundedError() throws {
        // No server at all on the port: refused at once.
        let env = try setUpDriver(server: false, config: ["port": try LBTest.freePort(), "timeout": 2])
        let down = try env.invoke("create", ["name": "v"], timeout: 60)
        XCTAssertEqual(down.status, .exited(1), "\(down.status)")
        let document = try object(down)
        XCTAssertTrue((document["msg"] as? String ?? "").contains("cannot reach 127.0.0.1"), "\(document)")
        XCTAssertTrue((document["details"] as? String ?? "").contains("NFS server"), "\(document)")
        XCTAssertEqual((try object(try env.invoke("list", [:]))["volumes"] as? [Any])?.count, 0, "no record for a failed create")

        // A server that accepts the connection and never answers: the call times out.
        let silent = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(silent) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                XCTAssertEqual(bind(silent, $0, length), 0)
                XCTAssertEqual(listen(silent, 16), 0)
                XCTAssertEqual(getsockname(silent, $0, &length), 0)
            }
        }
        let silentPort = Int(UInt16(bigEndian: address.sin_port))
        let hung = try env.invoke("create", ["name": "v", "options": ["host": "127.0.0.1", "port": String(silentPort)]], timeout: 60)
        XCTAssertEqual(hung.status, .exited(1), "the driver gave up by itself: \(hung.status)")
        let hungDocument = try object(hung)
        XCTAssertEqual(hungDocument["code"] as? Int, 105, "\(hungDocument)")
        XCTAssertTrue((hungDocument["details"] as? String ?? "").contains("did not answer within 2 s"), "\(hungDocument)")
    }

    func testMountingWhenTheServerWentAwayFailsCleanly() throws {
        let env = try setUpDriver()
        assertSuccess(try env.invoke("create", ["name": "v"]), "create")
        env.server?.stop()
        let mount = try env.invoke("mount", ["name": "v", "id": "c1"], timeout: 60)
        XCTAssertEqual(mount.status, .exited(1))
        XCTAssertTrue((try object(mount)["msg"] as? String ?? "").contains("mounting volume v (fuse)"), mount.stdout)
        XCTAssertFalse(isMounted("\(env.mounts)/v"))
        XCTAssertEqual((try object(try env.invoke("get", ["name": "v"]))["status"] as? [String: Any])?["mounts"] as? Int, 0,
                       "a failed mount records no user")
    }

    func testUnmountOfABusyMountIsAClearErrorAndKeepsTheRecord() throws {
        let env = try setUpDriver()
        assertSuccess(try env.invoke("create", ["name": "v"]), "create")
        let mountpoint = try XCTUnwrap(try object(try env.invoke("mount", ["name": "v", "id": "c1"]))["mountpoint"] as? String)
        let held = open("\(mountpoint)/open-file", O_CREAT | O_WRONLY, 0o644)
        XCTAssertGreaterThanOrEqual(held, 0)
        var closed = false
        defer { if !closed { close(held) } }

        let busy = try env.invoke("unmount", ["name": "v", "id": "c1"])
        XCTAssertEqual(busy.status, .exited(1))
        let document = try object(busy)
        XCTAssertEqual(document["code"] as? Int, 103)
        XCTAssertTrue((document["msg"] as? String ?? "").contains("busy"), "\(document)")
        XCTAssertTrue((document["details"] as? String ?? "").contains("fuser"), "\(document)")
        XCTAssertTrue(isMounted(mountpoint))
        let status = try XCTUnwrap(try object(try env.invoke("get", ["name": "v"]))["status"] as? [String: Any])
        XCTAssertEqual(status["mounts"] as? Int, 1, "the record still counts the mount that is still there")

        XCTAssertEqual(write(held, "z", 1), 1)
        close(held)
        closed = true
        assertSuccess(try env.invoke("unmount", ["name": "v", "id": "c1"]), "unmount once free")
        XCTAssertFalse(isMounted(mountpoint))
        XCTAssertEqual(try String(contentsOfFile: "\(env.export)/v/open-file", encoding: .utf8), "z")
    }

    func testACorruptRecordIsReportedAndTheOthersKeepWorking() throws {
        let env = try setUpDriver()
        assertSuccess(try env.invoke("create", ["name": "good"]), "create good")
        assertSuccess(try env.invoke("create", ["name": "bad"]), "create bad")
        try KeyValueStore(directory: "\(env.state)/kv", plugin: "nfs").put("volume/bad", Array("{\"name\":\"bad\",\"port\":".utf8))

        let get = try env.invoke("get", ["name": "bad"])
        XCTAssertEqual(get.status, .exited(1))
        XCTAssertEqual(try object(get)["code"] as? Int, 6)
        XCTAssertTrue((try object(get)["msg"] as? String ?? "").contains("record of volume bad"), get.stdout)
        XCTAssertTrue((try object(get)["details"] as? String ?? "").contains("storage.remove"), get.stdout)

        let list = try object(try env.invoke("list", [:]))
        XCTAssertEqual((list["volumes"] as? [[String: Any]])?.compactMap { $0["name"] as? String }, ["good"])
        XCTAssertEqual((list["errors"] as? [[String: Any]])?.compactMap { $0["name"] as? String }, ["bad"])
        assertSuccess(try env.invoke("mount", ["name": "good", "id": "c1"]), "the good volume still mounts")
        assertSuccess(try env.invoke("unmount", ["name": "good", "id": "c1"]), "and unmounts")

        let remove = try env.invoke("remove", ["name": "bad"])
        assertSuccess(remove, "a corrupt record can be removed")
        XCTAssertNotNil(try object(remove)["warning"])
        XCTAssertTrue(isDirectory("\(env.export)/bad"), "its data is left alone")
        XCTAssertNil((try object(try env.invoke("list", [:])))["errors"])
    }

    func testTheUserspaceMountOutlivesAnExpiredNFSv4Lease() throws {
        // libnfs never renews its lease; the helper reconnects and reopens files when the server
        // has expired it. A 5 s lease, then 15 s idle with a file held open.
        let env = try setUpDriver(leaseSeconds: 5)
        assertSuccess(try env.invoke("create", ["name": "v"]), "create")
        let mountpoint = try XCTUnwrap(try object(try env.invoke("mount", ["name": "v", "id": "c1"]))["mountpoint"] as? String)
        let held = open("\(mountpoint)/log", O_CREAT | O_WRONLY | O_APPEND, 0o644)
        XCTAssertGreaterThanOrEqual(held, 0)
        XCTAssertEqual(write(held, "before\n", 7), 7)
        sleep(15)
        XCTAssertEqual(write(held, "after\n", 6), 6, "a file opened before the lease expired still writes")
        XCTAssertEqual(fsync(held), 0)
        close(held)
        try Data("new\n".utf8).write(to: URL(fileURLWithPath: "\(mountpoint)/new"))
        XCTAssertEqual(try String(contentsOfFile: "\(env.export)/v/log", encoding: .utf8), "before\nafter\n")
        XCTAssertEqual(try String(contentsOfFile: "\(env.export)/v/new", encoding: .utf8), "new\n")
        assertSuccess(try env.invoke("unmount", ["name": "v", "id": "c1"]), "unmount")
    }

    func testTheConformanceKitPassesAgainstARealServer() throws {
        let env = try setUpDriver()
        let config = "\(env.temp.path)/kit.json"
        let settings: [String: Any] = ["host": "127.0.0.1", "port": env.server!.port, "exportBase": "/export",
                                       "mountDir": env.mounts, "timeout": 5]
        try JSONSerialization.data(withJSONObject: settings).write(to: URL(fileURLWithPath: config))
        let kit = try env.paddock(["plugin", "test", try Harness.swiftPlugin("StorageNFS"), "--config", config], timeout: 300)
        XCTAssertEqual(kit.status, .exited(0), kit.stdout + kit.stderr)
        XCTAssertTrue(kit.stdout.contains(" 0 failed"), kit.stdout)
    }

    func testKernelClientMountWhereTheKernelHasIt() throws {
        let filesystems = (try? String(contentsOfFile: "/proc/filesystems", encoding: .utf8)) ?? ""
        guard filesystems.split(separator: "\n").contains(where: { $0.hasSuffix("\tnfs4") }) else {
            throw XCTSkip("kernel lacks the NFS client (nfs4 is not in /proc/filesystems): the kernel mount path cannot run here")
        }
        let env = try setUpDriver(config: ["mountMode": "kernel"])
        assertSuccess(try env.invoke("create", ["name": "k"]), "create")
        let mount = try env.invoke("mount", ["name": "k", "id": "c1"])
        assertSuccess(mount, "mount")
        XCTAssertEqual(try object(mount)["via"] as? String, "kernel")
        try Data("kernel".utf8).write(to: URL(fileURLWithPath: "\(env.mounts)/k/f"))
        assertSuccess(try env.invoke("unmount", ["name": "k", "id": "c1"]), "unmount")
        XCTAssertEqual(try String(contentsOfFile: "\(env.export)/k/f", encoding: .utf8), "kernel")
    }
}

/// Read-only after setup; the concurrency test shares it between threads.
extension StorageNFSTests.Env: @unchecked Sendable {}

/// Results filled in from several threads.
final class ResultBox: @unchecked Sendable {
    private var items: [Harness.Run?]
    private let lock = NSLock()

    init(count: Int) { items = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Harness.Run?) {
        lock.lock()
        items[index] = value
        lock.unlock()
    }

    var values: [Harness.Run?] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
