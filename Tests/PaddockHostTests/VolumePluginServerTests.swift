import Foundation
import Glibc
import PaddockPosix
import XCTest

/// `paddock volume-plugin serve` on its own: concurrent clients, signals, socket files, and a
/// driver running in a worker process.
final class VolumePluginServerTests: XCTestCase {
    private func serve(_ fixture: DirvolFixture, socket: String) throws -> VolumeTestProcess {
        let server = try VolumeTestProcess(Harness.paddock, ["volume-plugin", "serve", "dirvol", "--socket", socket],
                                           environment: fixture.environment, output: "\(fixture.temp.path)/server-\(UUID().uuidString).log")
        addTeardownBlock { server.stop(SIGKILL) }
        guard VolumeTestWait.until(30, { (try? StreamConnection.connect(path: socket)) != nil }) else {
            throw HarnessError("no server on \(socket): \(server.log)")
        }
        return server
    }

    private func post(_ socket: String, _ path: String, _ body: [String: Any]) throws -> [String: Any] {
        try Self.post(socket, path, body)
    }

    private static func post(_ socket: String, _ path: String, _ body: [String: Any]) throws -> [String: Any] {
        let connection = try StreamConnection.connect(path: socket)
        let json = try JSONSerialization.data(withJSONObject: body)
        try connection.write(Array("POST \(path) HTTP/1.1\r\nHost: p\r\nContent-Length: \(json.count)\r\nConnection: close\r\n\r\n".utf8) + Array(json))
        var bytes: [UInt8] = []
        while true {
            let chunk = try connection.read(timeoutSeconds: 60)
            if chunk.isEmpty { break }
            bytes += chunk
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw HarnessError("no HTTP answer: \(text)") }
        return try JSONSerialization.jsonObject(with: Data(text[split.upperBound...].utf8)) as? [String: Any] ?? [:]
    }

    func testConcurrentMountsAndUnmountsKeepOneConsistentCount() throws {
        let fixture = try DirvolFixture(self, label: "pdsrv")
        let socket = "\(fixture.temp.path)/p.sock"
        _ = try serve(fixture, socket: socket)
        XCTAssertEqual(try post(socket, "/VolumeDriver.Create", ["Name": "shared"])["Err"] as? String, "")

        let ids = (0..<16).map { "container-\($0)" }
        let errors = Collected()
        let expected = "\(fixture.volumes)/shared"
        DispatchQueue.concurrentPerform(iterations: ids.count) { index in
            do {
                let answer = try Self.post(socket, "/VolumeDriver.Mount", ["Name": "shared", "ID": ids[index]])
                if answer["Mountpoint"] as? String != expected { errors.add("\(answer)") }
            } catch {
                errors.add("\(error)")
            }
        }
        XCTAssertEqual(errors.items, [])
        let inspect = try fixture.paddock(["volume", "inspect", "shared", "--format", "json"])
        let object = try XCTUnwrap(inspect.json as? [String: Any], inspect.stderr)
        XCTAssertEqual(Set((object["mounts"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []), Set(ids))
        XCTAssertEqual((object["status"] as? [String: Any])?["mounts"] as? Int, ids.count, "dirvol's own count agrees")

        DispatchQueue.concurrentPerform(iterations: ids.count) { index in
            _ = try? Self.post(socket, "/VolumeDriver.Unmount", ["Name": "shared", "ID": ids[index]])
        }
        let after = try fixture.paddock(["volume", "inspect", "shared", "--format", "json"])
        XCTAssertEqual(((after.json as? [String: Any])?["mounts"] as? [Any])?.count, 0, after.stdout)
        XCTAssertEqual(((after.json as? [String: Any])?["status"] as? [String: Any])?["mounts"] as? Int, 0)
        XCTAssertEqual(try post(socket, "/VolumeDriver.Remove", ["Name": "shared"])["Err"] as? String, "")
    }

    func testSIGINTRemovesTheSocketAndAStaleSocketFileIsReplaced() throws {
        let fixture = try DirvolFixture(self, label: "pdsig")
        let socket = "\(fixture.temp.path)/p.sock"
        let first = try serve(fixture, socket: socket)
        XCTAssertEqual(try FileSystem.linkStatus(socket).mode & 0o777, 0o660)

        let second = try fixture.paddock(["volume-plugin", "serve", "dirvol", "--socket", socket], timeout: 30)
        XCTAssertEqual(second.status, .exited(1), "a live server's socket is not taken over")
        XCTAssertTrue(second.stderr.contains("another server answers on \(socket)"), second.stderr)

        XCTAssertEqual(first.stop(SIGINT), 0, first.log)
        XCTAssertFalse(FileSystem.exists(socket))

        // A socket file left by a killed server is replaced.
        let killed = try serve(fixture, socket: socket)
        killed.stop(SIGKILL)
        XCTAssertTrue(FileSystem.exists(socket), "SIGKILL leaves the file behind")
        let restarted = try serve(fixture, socket: socket)
        XCTAssertEqual(try post(socket, "/Plugin.Activate", [:])["Implements"] as? [String], ["VolumeDriver"])
        XCTAssertEqual(restarted.stop(SIGTERM), 0)
    }

    func testMalformedHTTPIsAnsweredWithErrAndTheServerKeepsServing() throws {
        let fixture = try DirvolFixture(self, label: "pdhttp")
        let socket = "\(fixture.temp.path)/p.sock"
        let server = try serve(fixture, socket: socket)
        let cases: [(String, String)] = [
            ("GARBAGE\r\n\r\n", "HTTP/1.1 400 Bad Request"),
            ("POST /VolumeDriver.List HTTP/2.0\r\n\r\n", "HTTP/1.1 505"),
            ("POST /VolumeDriver.List HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.1 400"),
            ("POST /VolumeDriver.List HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "HTTP/1.1 501"),
            ("GET /VolumeDriver.List HTTP/1.1\r\n\r\n", "HTTP/1.1 405"),
        ]
        for (request, statusLine) in cases {
            let connection = try StreamConnection.connect(path: socket)
            try connection.write(Array(request.utf8))
            var bytes: [UInt8] = []
            while true {
                let chunk = try connection.read(timeoutSeconds: 30)
                if chunk.isEmpty { break }
                bytes += chunk
                if request.hasPrefix("GET") && String(decoding: bytes, as: UTF8.self).contains("}") { break }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            XCTAssertTrue(text.hasPrefix(statusLine), "\(request.debugDescription) -> \(text)")
            XCTAssertTrue(text.contains("{\"Err\":"), text)
        }
        XCTAssertEqual(try post(socket, "/Plugin.Activate", [:])["Implements"] as? [String], ["VolumeDriver"], "still serving")
        XCTAssertTrue(server.log.contains("paddock: volume plugin: /VolumeDriver.List -> 405"), server.log)
    }

    func testADriverInAWorkerProcessServesTheSameWay() throws {
        let fixture = try DirvolFixture(self, label: "pdwork")
        let config = "\(fixture.temp.path)/dirvol.json"
        let enable = try fixture.paddock(["plugin", "enable", "dirvol", "--config", config, "--isolation", "process"])
        XCTAssertEqual(enable.status, .exited(0), enable.stderr)
        let socket = "\(fixture.temp.path)/p.sock"
        _ = try serve(fixture, socket: socket)
        XCTAssertEqual(try post(socket, "/VolumeDriver.Create", ["Name": "isolated"])["Err"] as? String, "")
        XCTAssertEqual(try post(socket, "/VolumeDriver.Mount", ["Name": "isolated", "ID": "c"])["Mountpoint"] as? String,
                       "\(fixture.volumes)/isolated")
        let get = try post(socket, "/VolumeDriver.Get", ["Name": "isolated"])
        XCTAssertEqual((get["Volume"] as? [String: Any])?["Mountpoint"] as? String, "\(fixture.volumes)/isolated")
        XCTAssertEqual(((get["Volume"] as? [String: Any])?["Status"] as? [String: Any])?["mounts"] as? Int, 1)
        XCTAssertEqual(try post(socket, "/VolumeDriver.Path", ["Name": "isolated"])["Mountpoint"] as? String, "\(fixture.volumes)/isolated")
        XCTAssertEqual(try post(socket, "/VolumeDriver.Unmount", ["Name": "isolated", "ID": "c"])["Err"] as? String, "")
        XCTAssertEqual(try post(socket, "/VolumeDriver.Path", ["Name": "isolated"])["Mountpoint"] as? String, "")
        let list = try post(socket, "/VolumeDriver.List", [:])
        XCTAssertEqual((list["Volumes"] as? [[String: Any]])?.compactMap { $0["Name"] as? String }, ["isolated"])
        XCTAssertEqual(try post(socket, "/VolumeDriver.Remove", ["Name": "isolated"])["Err"] as? String, "")
        XCTAssertFalse(FileSystem.exists("\(fixture.volumes)/isolated"))
    }
}

/// Strings gathered from concurrent work.
private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var gathered: [String] = []

    func add(_ item: String) {
        lock.lock()
        gathered.append(item)
        lock.unlock()
    }

    var items: [String] {
        lock.lock()
        defer { lock.unlock() }
        return gathered
    }
}
