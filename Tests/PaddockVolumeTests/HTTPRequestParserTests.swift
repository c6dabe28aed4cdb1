import PaddockHTTP
import XCTest

final class HTTPRequestParserTests: XCTestCase {
    private func parseAll(_ text: String, chunkSize: Int? = nil) throws -> [HTTPRequest] {
        var parser = HTTPRequestParser(maxHeaderBytes: 1024, maxBodyBytes: 64)
        var requests: [HTTPRequest] = []
        let bytes = Array(text.utf8)
        let step = chunkSize ?? max(bytes.count, 1)
        var offset = 0
        while offset < bytes.count {
            parser.append(bytes[offset..<min(offset + step, bytes.count)])
            offset += step
            while let request = try parser.next() { requests.append(request) }
        }
        return requests
    }

    func testContentLengthBodyAndHeadersAreParsed() throws {
        let requests = try parseAll("POST /VolumeDriver.Create HTTP/1.1\r\nHost: plugin\r\ncontent-length: 13\r\nAccept: application/vnd.docker.plugins.v1+json\r\n\r\n{\"Name\":\"v\"}\n")
        XCTAssertEqual(requests.count, 1)
        XCTAssertEqual(requests[0].method, "POST")
        XCTAssertEqual(requests[0].path, "/VolumeDriver.Create")
        XCTAssertEqual(requests[0].header("Content-Length"), "13")
        XCTAssertEqual(String(decoding: requests[0].body, as: UTF8.self), "{\"Name\":\"v\"}\n")
        XCTAssertTrue(requests[0].keepsAlive)
    }

    func testByteByByteFeedingGivesTheSameRequests() throws {
        let text = "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcPOST /b?x=1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
        let whole = try parseAll(text)
        let trickled = try parseAll(text, chunkSize: 1)
        XCTAssertEqual(whole, trickled)
        XCTAssertEqual(whole.map(\.path), ["/a", "/b"])
        XCTAssertEqual(whole.map { String(decoding: $0.body, as: UTF8.self) }, ["abc", "hi"])
    }

    func testChunkedBodyWithExtensionsAndTrailersIsDecoded() throws {
        let text = "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\nA\r\n, world!!!\r\n0\r\nX-Trailer: yes\r\n\r\n"
        let requests = try parseAll(text, chunkSize: 7)
        XCTAssertEqual(requests.count, 1)
        XCTAssertEqual(String(decoding: requests[0].body, as: UTF8.self), "hello, world!!!")
    }

    func testKeepAliveFollowsTheVersionAndConnectionHeader() throws {
        let requests = try parseAll("""
            POST /a HTTP/1.1\r\nConnection: close\r\n\r\n\
            POST /b HTTP/1.0\r\n\r\n\
            POST /c HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n\
            POST /d HTTP/1.1\r\n\r\n
            """)
        XCTAssertEqual(requests.map(\.keepsAlive), [false, false, true, true])
    }

    func testBareLineFeedsAndLeadingEmptyLinesAreAccepted() throws {
        let requests = try parseAll("\r\n\nPOST /a HTTP/1.1\nContent-Length: 2\n\nok")
        XCTAssertEqual(requests.map { String(decoding: $0.body, as: UTF8.self) }, ["ok"])
    }

    func testIncompleteRequestsWaitForMoreBytes() throws {
        var parser = HTTPRequestParser()
        parser.append(Array("POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc".utf8))
        XCTAssertNil(try parser.next())
        XCTAssertFalse(parser.isIdle)
        parser.append(Array("defghij".utf8))
        XCTAssertEqual(try parser.next()?.body.count, 10)
        XCTAssertTrue(parser.isIdle)
    }

    func testBrokenRequestsAreRefusedWithTheRightStatus() {
        let cases: [(String, Int, String)] = [
            ("GARBAGE\r\n\r\n", 400, "request line"),
            ("POST /a HTTP/2.0\r\n\r\n", 505, "HTTP/2.0"),
            ("POST /a HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, "Content-Length"),
            ("POST /a HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n", 400, "Content-Length"),
            ("POST /a HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n", 400, "Content-Length"),
            ("POST /a HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "both"),
            ("POST /a HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "gzip"),
            ("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "chunk size"),
            ("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", 400, "chunk"),
            ("POST /a HTTP/1.1\r\nBad Header: x\r\n\r\n", 400, "header name"),
            ("POST /a HTTP/1.1\r\nno colon here\r\n\r\n", 400, "colon"),
            ("POST /a HTTP/1.1\r\nContent-Length: 65\r\n\r\n", 413, "exceeds"),
            ("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n", 413, "exceeds"),
            ("POST /a HTTP/1.1\r\nX: \(String(repeating: "y", count: 2000))", 431, "head"),
        ]
        for (text, status, fragment) in cases {
            XCTAssertThrowsError(try parseAll(text), text) { error in
                guard let error = error as? HTTPParseError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.status, status, text)
                XCTAssertTrue(error.message.contains(fragment), "\(error.message) lacks \(fragment)")
            }
        }
    }

    func testResponsesCarryContentLengthAndCloseWhenAsked() {
        let response = HTTPResponse(status: 200, headers: [("Content-Type", "application/json"), ("Content-Length", "999")], body: Array("{}".utf8))
        XCTAssertEqual(String(decoding: response.serialized(closing: false), as: UTF8.self),
                       "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        XCTAssertTrue(String(decoding: HTTPResponse(status: 404).serialized(closing: true), as: UTF8.self)
            .hasPrefix("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
    }
}
