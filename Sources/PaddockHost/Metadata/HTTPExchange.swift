import Foundation
import PaddockPosix

/// The HTTP/1.1 this client needs for etcd's JSON gateway over plain TCP: one POST per
/// connection (`Connection: close`), a body framed by Content-Length, chunked encoding, or the
/// end of the stream. Written instead of URLSession because FoundationNetworking traps
/// ("Transfer completed, but there's no response") when a server closes a connection without an
/// answer — seen here with etcd refusing an oversized request and with the agent under load; in a
/// host process that runs plugins, a refused request must be an error, not a crash.
enum HTTPExchange {
    struct Endpoint: Equatable {
        var host: String
        var port: UInt16

        /// `http://HOST:PORT` (HOST a name, an IPv4 address or a bracketed IPv6 address).
        init?(_ url: String) {
            guard url.hasPrefix("http://") else { return nil }
            var rest = Substring(url.dropFirst("http://".count))
            if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
            if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                host = String(rest[rest.index(after: rest.startIndex)..<close])
                let after = rest[rest.index(after: close)...]
                guard after.hasPrefix(":"), let port = UInt16(after.dropFirst()) else { return nil }
                self.port = port
            } else {
                let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, let port = UInt16(parts[1]) else { return nil }
                host = String(parts[0])
                self.port = port
            }
        }
    }

    struct Response {
        var status: Int
        var body: [UInt8]
    }

    struct Head {
        var status: Int
        var headers: [String: String]
        var bodyStart: Int
        var isChunked: Bool { headers["transfer-encoding"]?.lowercased().contains("chunked") ?? false }
        var contentLength: Int? { headers["content-length"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
    }

    static func request(_ endpoint: Endpoint, path: String, body: [UInt8]) -> [UInt8] {
        let head = "POST \(path) HTTP/1.1\r\nHost: \(endpoint.host):\(endpoint.port)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + body
    }

    /// One POST; the whole exchange must finish within `timeoutSeconds`.
    static func post(_ endpoint: Endpoint, path: String, body: [UInt8], timeoutSeconds: Double) throws(SystemError) -> Response? {
        let deadline = ChildProcess.monotonicSeconds() + timeoutSeconds
        let connection = try TCPConnection.connect(host: endpoint.host, port: endpoint.port, timeoutSeconds: timeoutSeconds)
        defer { connection.close() }
        try connection.send(request(endpoint, path: path, body: body), deadline: deadline)
        var received: [UInt8] = []
        while true {
            if let head = parseHead(received) {
                let payload = Array(received[head.bodyStart...])
                if let length = head.contentLength, payload.count >= length {
                    return Response(status: head.status, body: Array(payload.prefix(length)))
                }
                if head.isChunked, let decoded = dechunk(payload) { return Response(status: head.status, body: decoded) }
            }
            let chunk = try connection.receive(deadline: deadline)
            if chunk.isEmpty {
                // End of stream: a body without length ends here; no head at all is no answer.
                guard let head = parseHead(received) else { return nil }
                let payload = Array(received[head.bodyStart...])
                return Response(status: head.status, body: head.isChunked ? (dechunk(payload) ?? payload) : payload)
            }
            received += chunk
        }
    }

    /// The status line and headers once the blank line after them has arrived.
    static func parseHead(_ bytes: [UInt8]) -> Head? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4, let end = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<($0 + 4)]) == separator }) else {
            return nil
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/"), let status = Int(statusParts[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        return Head(status: status, headers: headers, bodyStart: end + 4)
    }

    /// A complete chunked body decoded, or nil while its last chunk has not arrived.
    static func dechunk(_ bytes: [UInt8]) -> [UInt8]? {
        var decoder = ChunkedDecoder()
        let output = decoder.feed(bytes)
        return decoder.finished ? output : nil
    }
}

/// Decodes chunked transfer encoding incrementally (the watch's stream arrives chunk by chunk).
struct ChunkedDecoder {
    private var pending: [UInt8] = []
    private(set) var finished = false

    /// Feeds received bytes; returns the payload bytes that became complete.
    mutating func feed(_ bytes: [UInt8]) -> [UInt8] {
        pending += bytes
        var output: [UInt8] = []
        while !finished {
            guard let lineEnd = crlf(in: pending, from: 0) else { break }
            let sizeText = String(decoding: pending[..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                finished = true  // not chunked after all: stop rather than misread
                break
            }
            let start = lineEnd + 2
            if size == 0 {
                finished = true
                pending = []
                break
            }
            guard pending.count >= start + size + 2 else { break }
            output += pending[start..<(start + size)]
            pending.removeFirst(start + size + 2)
        }
        return output
    }

    private func crlf(in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= start + 2 else { return nil }
        return (start...(bytes.count - 2)).first { bytes[$0] == 13 && bytes[$0 + 1] == 10 }
    }
}
