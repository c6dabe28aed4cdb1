import Foundation
import Glibc
import PaddockPosix
import XCTest

/// The NFS driver behind the Docker volume plugin with dockerd as the client and nfs-ganesha on
/// 127.0.0.1 as the server: what a container writes lands on the server's export, and
/// `docker volume rm` honours onRemove.
final class DockerNFSVolumeTests: XCTestCase {
    private var temp: TemporaryDirectory!
    private var plugins = ""
    private var state = ""
    private var nfs: NFSGanesha!
    private var docker: DockerDaemon!
    private var server: VolumeTestProcess?
    private var plugin = ""
    private var socket: String { "/run/docker/plugins/\(plugin).sock" }

    private var environment: [String: String] {
        var env = ChildProcess.currentEnvironment()
        env["PADDOCK_STATE_DIR"] = state
        env["PADDOCK_PLUGIN_PATH"] = plugins
        env["HOME"] = "\(state)/home"
        return env
    }

    override func setUpWithError() throws {
        try requireRootForVolumes()
        try Harness.requirePaddock()
        temp = try temporaryDirectory("pdnfs-\(getpid())")
        plugins = try temp.subdirectory("plugins")
        state = try temp.subdirectory("state")
        let mounts = try temp.subdirectory("mnt")
        symlink(try Harness.swiftPlugin("StorageNFS"), "\(plugins)/libStorageNFS.so")
        nfs = try NFSGanesha(in: try temp.subdirectory("server"))
        addTeardownBlock { [temp, nfs] in
            if let temp { unmountEverything(under: temp.path) }
            nfs?.stop()
        }
        let config = "\(temp.path)/nfs.json"
        try JSONSerialization.data(withJSONObject: ["host": "127.0.0.1", "port": nfs.port, "exportBase": "/export",
                                                    "mountDir": mounts, "timeout": 5] as [String: Any])
            .write(to: URL(fileURLWithPath: config))
        let enable = try Harness.paddock(["plugin", "enable", "nfs", "--config", config], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(enable.status, .exited(0), enable.stderr)

        plugin = "paddock-nfs-t\(getpid())-\(UInt32.random(in: 0..<1_000_000))"
        let root = try temporaryDirectory("pdn\(getpid())")
        docker = try DockerDaemon(root: root.path)
        addTeardownBlock { [docker, socket] in
            docker?.stop()
            unlink(socket)
        }
        try startServer()
        addTeardownBlock { [weak self] in self?.server?.stop(SIGKILL) }
    }

    private func startServer() throws {
        let process = try VolumeTestProcess(Harness.paddock, ["volume-plugin", "serve", "nfs", "--socket", socket],
                                            environment: environment, output: "\(temp.path)/server-\(Date().timeIntervalSince1970).log")
        server = process
        guard VolumeTestWait.until(30, { (try? StreamConnection.connect(path: self.socket)) != nil }) else {
            throw HarnessError("the plugin server did not listen on \(socket): \(process.log)")
        }
    }

    private func writeInContainer(_ volume: String, _ text: String, file: String = "f") throws {
        let run = try docker.run(["run", "--rm", "--network", "none", "-v", "\(volume):/data", DockerDaemon.image,
                                  "sh", "-c", "echo \(text) > /data/\(file) && cat /data/\(file)"])
        XCTAssertEqual(run.stdout, "\(text)\n", "\(run.stderr) \(server?.log ?? "")")
    }

    func testContainerWritesLandOnTheNFSServerAndRemoveHonoursOnRemove() throws {
        let export = nfs.exportDirectory
        XCTAssertEqual(try docker.run(["volume", "create", "-d", plugin, "purged"]).status, .exited(0))
        XCTAssertTrue(FileSystem.exists("\(export)/purged"), "create made the directory on the export")
        try writeInContainer("purged", "to-the-server")
        XCTAssertEqual(try String(contentsOfFile: "\(export)/purged/f", encoding: .utf8), "to-the-server\n",
                       "the container's write is on the NFS server's side")

        let kept = try docker.run(["volume", "create", "-d", plugin, "-o", "onRemove=retain", "kept"])
        XCTAssertEqual(kept.status, .exited(0), kept.stderr)
        try writeInContainer("kept", "stays")

        XCTAssertEqual(try docker.run(["volume", "rm", "purged"]).status, .exited(0))
        XCTAssertFalse(FileSystem.exists("\(export)/purged"), "onRemove purge (the default) deletes the directory")
        XCTAssertEqual(try docker.run(["volume", "rm", "kept"]).status, .exited(0))
        XCTAssertEqual(try String(contentsOfFile: "\(export)/kept/f", encoding: .utf8), "stays\n", "onRemove retain keeps the data")

        let unknown = try docker.run(["volume", "create", "-d", plugin, "-o", "colour=red", "odd"])
        XCTAssertNotEqual(unknown.status, .exited(0))
        XCTAssertTrue(unknown.stderr.contains("colour"), "the driver names the unknown option: \(unknown.stderr)")
        XCTAssertFalse(FileSystem.exists("\(export)/odd"))
    }

    func testDockerKeepsWorkingAcrossAPluginServerRestart() throws {
        let export = nfs.exportDirectory
        XCTAssertEqual(try docker.run(["volume", "create", "-d", plugin, "shared"]).status, .exited(0))
        let holder = try docker.run(["run", "-d", "--network", "none", "-v", "shared:/data", DockerDaemon.image,
                                     "sh", "-c", "echo first > /data/first; sleep 300"])
        XCTAssertEqual(holder.status, .exited(0), holder.stderr)
        let container = holder.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(VolumeTestWait.until(20) { FileSystem.exists("\(export)/shared/first") })

        XCTAssertEqual(server?.stop(SIGTERM), 0, server?.log ?? "")
        try startServer()
        try writeInContainer("shared", "after-restart", file: "second")
        XCTAssertEqual(try String(contentsOfFile: "\(export)/shared/second", encoding: .utf8), "after-restart\n")

        XCTAssertEqual(try docker.run(["rm", "-f", container]).status, .exited(0))
        let record = try Harness.paddock(["volume", "inspect", "shared", "--driver", "nfs", "--format", "json"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(((record.json as? [String: Any])?["mounts"] as? [Any])?.count, 0, record.stdout + record.stderr)
        XCTAssertEqual(try docker.run(["volume", "rm", "shared"]).status, .exited(0))
        XCTAssertFalse(FileSystem.exists("\(export)/shared"))
    }
}
