import Foundation
import PaddockCore
@testable import PaddockHost
import PaddockPosix
import XCTest

/// The metadata service's etcd v3 store, against a real etcd started by the test.
final class EtcdMetadataTests: XCTestCase {
    func testSettingsChooseTheEtcdStoreAndRefuseBadValues() throws {
        let directory = try temporaryDirectory()
        let file = "\(directory.path)/paddock.json"
        try AtomicFile.write(Array(#"{"metadata": {"host": "h1", "etcd": {"endpoints": ["http://127.0.0.1:2379/"], "prefix": "/env1/"}}}"#.utf8), to: file)
        let settings = try HostSettings.load(configDirectory: directory.path)
        XCTAssertEqual(settings.metadata, MetadataSettings(host: "h1", etcd: EtcdSettings(endpoints: ["http://127.0.0.1:2379"], prefix: "/env1/")))
        XCTAssertEqual(try HostSettings.load(configDirectory: "\(directory.path)/none").metadata, MetadataSettings(), "no file: the local metadata file")

        let bad: [(String, String)] = [
            (#"{"metadata": []}"#, "\"metadata\" must be an object"),
            (#"{"metadata": {"etcd": {}}}"#, "needs \"endpoints\""),
            (#"{"metadata": {"etcd": {"endpoints": []}}}"#, "non-empty list"),
            (#"{"metadata": {"etcd": {"endpoints": ["127.0.0.1:2379"]}}}"#, "is not an http://HOST:PORT URL"),
            (#"{"metadata": {"etcd": {"endpoints": ["https://127.0.0.1:2379"]}}}"#, "uses TLS"),
            (#"{"metadata": {"etcd": {"endpoints": ["http://127.0.0.1"]}}}"#, "is not an http://HOST:PORT URL"),
            (#"{"metadata": {"etcd": {"endpoints": ["http://127.0.0.1:2379"], "attempts": 0}}}"#, "attempts must be 1–10"),
            (#"{"metadata": {"etcd": {"endpoints": ["http://127.0.0.1:2379"], "color": 1}}}"#, "unknown key \"metadata.etcd.color\""),
            (#"{"metadata": {"hots": "x"}}"#, "unknown key \"metadata.hots\""),
        ]
        for (text, expected) in bad {
            try AtomicFile.write(Array(text.utf8), to: file)
            XCTAssertThrowsError(try HostSettings.load(configDirectory: directory.path), text) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(text): \(error)")
                XCTAssertTrue("\(error)".contains(file), "names the file: \(error)")
            }
        }
    }

    func testHTTPResponsesParseWithLengthChunksOrEndOfStream() {
        let head = Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        let parsed = HTTPExchange.parseHead(head + Array("4\r\n".utf8))
        XCTAssertEqual(parsed?.status, 200)
        XCTAssertEqual(parsed?.isChunked, true)
        XCTAssertEqual(parsed?.bodyStart, head.count)
        XCTAssertNil(HTTPExchange.parseHead(Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n".utf8)), "headers not complete yet")
        XCTAssertEqual(HTTPExchange.dechunk(Array("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n".utf8)), Array("hello world".utf8))
        XCTAssertNil(HTTPExchange.dechunk(Array("5\r\nhello\r\n".utf8)), "the last chunk has not arrived")
        var decoder = ChunkedDecoder()
        XCTAssertEqual(decoder.feed(Array("5\r\nhel".utf8)), [])
        XCTAssertEqual(decoder.feed(Array("lo\r\n3\r\n{}\n\r\n".utf8)), Array("hello{}\n".utf8))
        XCTAssertFalse(decoder.finished)
        XCTAssertEqual(HTTPExchange.Endpoint("http://127.0.0.1:2379"), HTTPExchange.Endpoint("http://127.0.0.1:2379/"))
        XCTAssertEqual(HTTPExchange.Endpoint("http://[::1]:2379")?.host, "::1")
        XCTAssertEqual(HTTPExchange.Endpoint("http://etcd.example:2379")?.port, 2379)
        XCTAssertNil(HTTPExchange.Endpoint("https://127.0.0.1:2379"))
    }

    func testRangeEndCoversExactlyThePrefix() {
        XCTAssertEqual(EtcdClient.rangeEnd("/paddock/"), Array("/paddock0".utf8))
        XCTAssertEqual(EtcdClient.rangeEnd("a\u{7f}"), [0x61, 0x80])
        XCTAssertEqual(EtcdClient.rangeEnd(""), [0])
    }

    func testMetadataServiceAnswersFromEtcd() throws {
        let etcd = try EtcdFixture(self)
        let prefix = "/paddock-\(getpid())-answers/"
        let client = etcd.client(prefix: prefix)
        try client.put("\(prefix)hosts/h1", Array(#"{"name":"h1","agent_ip":"198.18.0.1","labels":{"zone":"a"}}"#.utf8))
        try client.put("\(prefix)hosts/h2", Array(#"{"name":"h2","agent_ip":"198.18.0.2","labels":{}}"#.utf8))
        try client.put("\(prefix)hosts/broken", Array("not json".utf8))
        try client.put("\(prefix)containers/h1/c1", Array(#"{"name":"c1","host":"h1","primary_ip":"198.18.64.2"}"#.utf8))
        try client.put("\(prefix)containers/h2/c2", Array(#"{"name":"c2","host":"h2","primary_ip":"198.18.65.2"}"#.utf8))
        try client.put("\(prefix)environment", Array(#"{"name":"env1","subnet":"198.18.64.0/18"}"#.utf8))
        try client.put("/elsewhere/hosts/h9", Array(#"{"name":"h9"}"#.utf8))

        let source = MetadataSource(etcd: client, hostName: "h2")
        let hosts = try source.answer(["type": "hosts"]).arrayValue ?? []
        XCTAssertEqual(hosts.compactMap { $0["name"]?.stringValue }, ["h1", "h2"], "sorted, the malformed value and other prefixes left out")
        XCTAssertEqual(try source.answer(["type": "self"])["agent_ip"], "198.18.0.2")
        XCTAssertEqual(try source.answer(["type": "containers", "host": "h1"]).arrayValue?.count, 1)
        XCTAssertEqual(try source.answer(["type": "environment"])["subnet"], "198.18.64.0/18")
        XCTAssertThrowsError(try source.answer(["type": "planets"]))
    }

    func testUnreachableEtcdGivesABoundedClearError() throws {
        let port = try LBTest.freePort()  // nothing listens here
        let endpoint = "http://127.0.0.1:\(port)"
        let client = EtcdClient(settings: EtcdSettings(endpoints: [endpoint], attempts: 2), settingsFile: "/etc/paddock/paddock.json")
        XCTAssertThrowsError(try client.range(prefix: "/paddock/")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("etcd is unreachable at \(endpoint)"), text)
            XCTAssertTrue(text.contains("2 attempts"), text)
            XCTAssertTrue(text.contains("fix \"metadata.etcd.endpoints\" in /etc/paddock/paddock.json"), text)
        }
        XCTAssertThrowsError(try MetadataSource(etcd: client, hostName: nil).answer(["type": "hosts"]))

        // The command fails the same way, and exits rather than hanging.
        let state = try temporaryDirectory()
        try AtomicFile.write(Array(#"{"metadata": {"etcd": {"endpoints": ["\#(endpoint)"], "attempts": 2, "timeout_seconds": 1}}}"#.utf8),
                             to: "\(try state.subdirectory("config"))/paddock.json")
        let run = try Harness.paddock(["agent", "publish", "--name", "h1", "--agent-ip", "198.18.0.1"], pluginPath: nil,
                                      stateDir: state.path, environment: ["PADDOCK_CONFIG_DIR": "\(state.path)/config"], timeout: 60)
        XCTAssertEqual(run.status, .exited(1), run.stderr)
        XCTAssertTrue(run.stderr.contains("etcd is unreachable at \(endpoint)"), run.stderr)
        XCTAssertTrue(run.stderr.contains("metadata.etcd.endpoints"), run.stderr)
    }

    func testAFailedPublishLeavesNoRecordAndNoLease() throws {
        let etcd = try EtcdFixture(self)
        let prefix = "/paddock-\(getpid())-half/"
        let client = etcd.client(prefix: prefix)
        // A record over etcd's request limit: the lease is granted, then the write is refused.
        let record = HostRecord(name: "h1", agentIP: "198.18.0.1", fields: ["blob": .string(String(repeating: "x", count: 2 << 20))])
        XCTAssertThrowsError(try HostAgent(client: client, record: record).publish()) { error in
            XCTAssertTrue("\(error)".contains("over the 1572864-byte request limit"), "\(error)")
        }
        XCTAssertEqual(try client.range(prefix: prefix).kvs, [], "no record")
        XCTAssertEqual(try client.leases(), [], "the lease was revoked")
    }
}
