import Foundation
import Glibc
import PaddockPosix
import XCTest

/// The Docker volume-plugin adapter with the real client: a dockerd of the test's own finds
/// `paddock volume-plugin serve dirvol` by its socket in /run/docker/plugins.
final class DockerVolumePluginTests: XCTestCase {
    private var fixture: DirvolFixture!
    private var docker: DockerDaemon!
    private var server: VolumeTestProcess?
    private var plugin = ""
    private var socket: String { "/run/docker/plugins/\(plugin).sock" }
    nonisolated(unsafe) private static var counter = 0

    override func setUpWithError() throws {
        try requireRootForVolumes()
        try Harness.requirePaddock()
        fixture = try DirvolFixture(self, label: "pddock")
        Self.counter += 1
        plugin = "paddock-t\(getpid())-\(Self.counter)"
        // dockerd's socket path must stay short (108 bytes): a root of our own under /tmp.
        let root = try temporaryDirectory("pdd\(getpid())")
        docker = try DockerDaemon(root: root.path)
        addTeardownBlock { [docker, socket] in
            docker?.stop()
            unlink(socket)
        }
        try startServer()
        addTeardownBlock { [weak self] in self?.server?.stop(SIGKILL) }
    }

    private func startServer() throws {
        let process = try VolumeTestProcess(Harness.paddock, ["volume-plugin", "serve", "dirvol", "--socket", socket],
                                            environment: fixture.environment, output: "\(fixture.temp.path)/server-\(Date().timeIntervalSince1970).log")
        server = process
        guard VolumeTestWait.until(30, { (try? StreamConnection.connect(path: self.socket)) != nil }) else {
            throw HarnessError("the plugin server did not listen on \(socket): \(process.log)")
        }
    }

    /// One request on a fresh connection, as Docker's plugin client sends it.
    private func post(_ path: String, _ body: String) throws -> (status: Int, json: [String: Any]) {
        let connection = try StreamConnection.connect(path: socket)
        try connection.write(Array("POST \(path) HTTP/1.1\r\nHost: plugin\r\nAccept: application/vnd.docker.plugins.v1+json\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)".utf8))
        var bytes: [UInt8] = []
        while true {
            let chunk = try connection.read(timeoutSeconds: 30)
            if chunk.isEmpty { break }
            bytes += chunk
        }
        return try Self.decode(bytes)
    }

    private static func decode(_ bytes: [UInt8]) throws -> (status: Int, json: [String: Any]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let status = Int(parts[0].split(separator: " ")[1]) ?? 0
        let json = try JSONSerialization.jsonObject(with: Data(parts.dropFirst().joined(separator: "\r\n\r\n").utf8)) as? [String: Any] ?? [:]
        return (status, json)
    }

    func testDockerCreatesMountsWritesAndRemovesThroughThePlugin() throws {
        let created = try docker.run(["volume", "create", "-d", plugin, "vol1"])
        XCTAssertEqual(created.status, .exited(0), created.stderr)
        XCTAssertTrue(FileSystem.exists("\(fixture.volumes)/vol1"), "the volume is dirvol's directory")

        let write = try docker.run(["run", "--rm", "--network", "none", "-v", "vol1:/data", DockerDaemon.image, "sh", "-c", "echo written-in-a-container > /data/file"])
        XCTAssertEqual(write.status, .exited(0), write.stderr)
        XCTAssertEqual(try String(contentsOfFile: "\(fixture.volumes)/vol1/file", encoding: .utf8), "written-in-a-container\n")

        let listed = try docker.run(["volume", "ls", "--format", "{{.Driver}} {{.Name}}"])
        XCTAssertTrue(listed.stdout.contains("\(plugin) vol1"), listed.stdout)
        let inspect = try docker.run(["volume", "inspect", "vol1", "--format", "{{.Driver}} {{.Scope}}"])
        XCTAssertEqual(inspect.stdout, "\(plugin) local\n", inspect.stderr)

        // Records: one volume, no mount left after the container went away.
        let record = try fixture.paddock(["volume", "inspect", "vol1", "--format", "json"])
        XCTAssertEqual(((record.json as? [String: Any])?["mounts"] as? [Any])?.count, 0, record.stdout + record.stderr)

        let removed = try docker.run(["volume", "rm", "vol1"])
        XCTAssertEqual(removed.status, .exited(0), removed.stderr)
        XCTAssertFalse(FileSystem.exists("\(fixture.volumes)/vol1"), "dirvol's remove policy: the directory goes")
        XCTAssertEqual(try fixture.paddock(["volume", "list", "--format", "json"]).stdout.contains("vol1"), false)
    }

    func testARestartedServerKeepsVolumesAndMountsAndDockerKeepsWorking() throws {
        XCTAssertEqual(try docker.run(["volume", "create", "-d", plugin, "keep"]).status, .exited(0))
        let holder = try docker.run(["run", "-d", "--network", "none", "-v", "keep:/data", DockerDaemon.image, "sleep", "300"])
        XCTAssertEqual(holder.status, .exited(0), holder.stderr)
        let container = holder.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        XCTAssertEqual(server?.stop(SIGTERM), 0, "SIGTERM stops the server cleanly: \(server?.log ?? "")")
        XCTAssertFalse(FileSystem.exists(socket), "the socket is removed on shutdown")
        try startServer()

        let record = try fixture.paddock(["volume", "inspect", "keep", "--format", "json"])
        let mounts = try XCTUnwrap((record.json as? [String: Any])?["mounts"] as? [[String: Any]], record.stderr)
        XCTAssertEqual(mounts.count, 1, "the running container's mount survived the restart")
        XCTAssertFalse((mounts.first?["id"] as? String ?? "").isEmpty, "recorded under Docker's mount ID")

        let second = try docker.run(["run", "--rm", "--network", "none", "-v", "keep:/data", DockerDaemon.image, "sh", "-c", "echo again > /data/f && cat /data/f"])
        XCTAssertEqual(second.stdout, "again\n", second.stderr)
        let inUse = try docker.run(["volume", "rm", "keep"])
        XCTAssertNotEqual(inUse.status, .exited(0), "docker refuses to remove a volume a container uses")

        XCTAssertEqual(try docker.run(["rm", "-f", container]).status, .exited(0))
        let after = try fixture.paddock(["volume", "inspect", "keep", "--format", "json"])
        XCTAssertEqual(((after.json as? [String: Any])?["mounts"] as? [Any])?.count, 0, "Docker's unmount reached the restarted server")
        XCTAssertEqual(try docker.run(["volume", "rm", "keep"]).status, .exited(0))
        XCTAssertFalse(FileSystem.exists("\(fixture.volumes)/keep"))
    }

    func testUnknownOptionsAreRefusedByNameThroughDocker() throws {
        let refused = try docker.run(["volume", "create", "-d", plugin, "-o", "size=10", "-o", "bogus=1", "opts"])
        XCTAssertNotEqual(refused.status, .exited(0))
        XCTAssertTrue(refused.stderr.contains("does not know the options bogus, size"), refused.stderr)
        XCTAssertFalse(FileSystem.exists("\(fixture.volumes)/opts"))
    }

    func testTheProtocolAnswersBadInputWithErr() throws {
        XCTAssertEqual(try post("/Plugin.Activate", "").json["Implements"] as? [String], ["VolumeDriver"])
        XCTAssertEqual((try post("/VolumeDriver.Capabilities", "{}").json["Capabilities"] as? [String: Any])?["Scope"] as? String, "local")
        let long = String(repeating: "x", count: 256)
        let cases: [(String, String, Int, String)] = [
            ("/VolumeDriver.Create", #"{"Name":"a/b"}"#, 500, "'/'"),
            ("/VolumeDriver.Create", #"{"Name":".."}"#, 500, "not allowed"),
            ("/VolumeDriver.Create", #"{"Name":"nul\u0000x"}"#, 500, "NUL"),
            ("/VolumeDriver.Create", #"{"Name":"\#(long)"}"#, 500, "over 255"),
            ("/VolumeDriver.Create", #"{"Name":"v","Opts":{"zz":"1"}}"#, 500, "does not know the option zz"),
            ("/VolumeDriver.Mount", #"{"Name":"absent","ID":"c"}"#, 500, "has no volume absent"),
            ("/VolumeDriver.Create", #"{"Nome":"v"}"#, 500, "needs a string \"Name\""),
            ("/VolumeDriver.Create", "{not json", 400, "not JSON"),
            ("/VolumeDriver.Nope", "{}", 404, "not an endpoint"),
        ]
        for (path, body, status, fragment) in cases {
            let answer = try post(path, body)
            XCTAssertEqual(answer.status, status, "\(path) \(body)")
            let err = answer.json["Err"] as? String ?? ""
            XCTAssertTrue(err.contains(fragment), "\(err) lacks \(fragment)")
        }
        XCTAssertEqual(try FileSystem.list(fixture.volumes), [], "nothing was created")

        // Keep-alive and a chunked body on one connection, as an HTTP/1.1 client may send them.
        let connection = try StreamConnection.connect(path: socket)
        try connection.write(Array(("POST /VolumeDriver.Create HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "7\r\n{\"Name\"\r\n8\r\n:\"chunk\"\r\n1\r\n}\r\n0\r\n\r\n"
            + "POST /VolumeDriver.Get HTTP/1.1\r\nHost: p\r\nContent-Length: 16\r\n\r\n{\"Name\":\"chunk\"}").utf8))
        var bytes: [UInt8] = []
        XCTAssertTrue(VolumeTestWait.until(10) {
            if let chunk = try? connection.read(timeoutSeconds: 0.2) { bytes += chunk }
            return String(decoding: bytes, as: UTF8.self).components(separatedBy: "HTTP/1.1 200").count == 3
                && String(decoding: bytes, as: UTF8.self).contains("\"Mountpoint\"")
        }, String(decoding: bytes, as: UTF8.self))
        XCTAssertTrue(FileSystem.exists("\(fixture.volumes)/chunk"))
        XCTAssertFalse(String(decoding: bytes, as: UTF8.self).contains("Connection: close"), "the connection stays open")
        let socketMode = try FileSystem.linkStatus(socket).mode & 0o777
        XCTAssertEqual(socketMode, 0o660)
    }
}
