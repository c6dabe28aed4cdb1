/// Turns bytes read from a connection into requests (RFC 9112): a request line, header fields up to
/// an empty line, then a body framed by Content-Length or by chunked transfer coding. Bytes past one
/// request stay buffered for the next (keep-alive, pipelining).
public struct HTTPRequestParser: Sendable {
    public let maxHeaderBytes: Int
    public let maxBodyBytes: Int
    private var buffer: [UInt8] = []

    public init(maxHeaderBytes: Int = 64 << 10, maxBodyBytes: Int = 16 << 20) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }

    /// True when no partial request is buffered (a clean place for the peer to close).
    public var isIdle: Bool { buffer.isEmpty }

    public mutating func append(_ bytes: some Collection<UInt8>) { buffer.append(contentsOf: bytes) }

    /// The next complete request, or nil when more bytes are needed.
    public mutating func next() throws(HTTPParseError) -> HTTPRequest? {
        // A server should ignore empty lines before the request line (RFC 9112 §2.2).
        while buffer.first == 0x0D || buffer.first == 0x0A { buffer.removeFirst() }
        guard let headEnd = Self.endOfHead(buffer) else {
            if buffer.count > maxHeaderBytes { throw HTTPParseError(.headersTooLarge, "request head exceeds \(maxHeaderBytes) bytes") }
            return nil
        }
        if headEnd.start > maxHeaderBytes { throw HTTPParseError(.headersTooLarge, "request head exceeds \(maxHeaderBytes) bytes") }
        var request = try Self.parseHead(buffer[..<headEnd.start])
        let framing = try Self.framing(of: request)
        let bodyStart = headEnd.end
        switch framing {
        case .none:
            buffer.removeFirst(bodyStart)
        case .length(let length):
            guard length <= maxBodyBytes else { throw HTTPParseError(.bodyTooLarge, "body of \(length) bytes exceeds \(maxBodyBytes)") }
            guard buffer.count - bodyStart >= length else { return nil }
            request.body = Array(buffer[bodyStart..<bodyStart + length])
            buffer.removeFirst(bodyStart + length)
        case .chunked:
            guard let (body, consumed) = try decodeChunked(from: bodyStart) else { return nil }
            request.body = body
            buffer.removeFirst(consumed)
        }
        return request
    }

    private enum Framing { case none, length(Int), chunked }

    private static func framing(of request: HTTPRequest) throws(HTTPParseError) -> Framing {
        let encodings = request.headers.filter { $0.name.lowercased() == "transfer-encoding" }
        let lengths = request.headers.filter { $0.name.lowercased() == "content-length" }
        if !encodings.isEmpty {
            // A message with both is a smuggling risk; refuse it rather than pick one (RFC 9112 §6.3).
            guard lengths.isEmpty else {
                throw HTTPParseError(.badContentLength, "both Transfer-Encoding and Content-Length were sent")
            }
            let codings = encodings.flatMap { $0.value.lowercased().split(separator: ",").map { $0.trimmingSpaces() } }
            guard codings == ["chunked"] else {
                throw HTTPParseError(.unsupportedTransferEncoding, "transfer coding \(codings.joined(separator: ", ")) is not supported; send chunked or Content-Length")
            }
            return .chunked
        }
        let values = Set(lengths.flatMap { $0.value.split(separator: ",").map { $0.trimmingSpaces() } })
        guard let value = values.first else { return .none }
        guard values.count == 1, !value.isEmpty, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), value.utf8.count <= 15,
              let length = Int(value) else {
            throw HTTPParseError(.badContentLength, "invalid Content-Length \"\(lengths.map(\.value).joined(separator: ", "))\"")
        }
        return length == 0 ? .none : .length(length)
    }

    /// Chunks from `start`: the decoded body and how many buffered bytes the request used, or nil
    /// while incomplete.
    private func decodeChunked(from start: Int) throws(HTTPParseError) -> ([UInt8], Int)? {
        var at = start
        var body: [UInt8] = []
        while true {
            guard let line = Self.line(in: buffer, from: at) else {
                if buffer.count - at > 4096 { throw HTTPParseError(.badChunk, "chunk size line too long") }
                return nil
            }
            let text = String(decoding: buffer[at..<line.start], as: UTF8.self)
            let sizeText = text.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first.map { $0.trimmingSpaces() } ?? ""
            guard !sizeText.isEmpty, sizeText.count <= 15, let size = Int(sizeText, radix: 16), size >= 0 else {
                throw HTTPParseError(.badChunk, "invalid chunk size \"\(text)\"")
            }
            at = line.end
            if size == 0 {
                // Trailer fields until an empty line; their values are not used.
                while true {
                    guard let trailer = Self.line(in: buffer, from: at) else { return nil }
                    let empty = trailer.start == at
                    at = trailer.end
                    if empty { return (body, at) }
                }
            }
            guard body.count + size <= maxBodyBytes else {
                throw HTTPParseError(.bodyTooLarge, "chunked body exceeds \(maxBodyBytes) bytes")
            }
            guard buffer.count - at >= size + 1 else { return nil }
            body.append(contentsOf: buffer[at..<at + size])
            at += size
            guard let end = Self.line(in: buffer, from: at) else {
                if buffer.count - at >= 2 { throw HTTPParseError(.badChunk, "chunk data is not followed by CRLF") }
                return nil
            }
            guard end.start == at else { throw HTTPParseError(.badChunk, "chunk data longer than its size \(size)") }
            at = end.end
        }
    }

    private static func parseHead(_ head: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPRequest {
        // Split on LF bytes: as a String, "\r\n" is one Character and would not split on "\n".
        var lines: [Substring] = []
        for line in head.split(separator: 0x0A, omittingEmptySubsequences: false) {
            let bytes = line.last == 0x0D ? line.dropLast() : line
            lines.append(Substring(String(decoding: bytes, as: UTF8.self)))
        }
        guard let requestLine = lines.first else { throw HTTPParseError(.malformedRequestLine, "empty request") }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(\.isTokenCharacter), !parts[1].isEmpty else {
            throw HTTPParseError(.malformedRequestLine, "malformed request line \"\(requestLine.prefix(200))\"")
        }
        let version = String(parts[2])
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            if version.hasPrefix("HTTP/") { throw HTTPParseError(.unsupportedVersion, "\(version) is not supported; use HTTP/1.1") }
            throw HTTPParseError(.malformedRequestLine, "malformed request line \"\(requestLine.prefix(200))\"")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else {
                throw HTTPParseError(.malformedHeader, "header line without a colon: \"\(line.prefix(200))\"")
            }
            let name = line[..<colon]
            // No whitespace between the name and the colon (RFC 9112 §5.1); obsolete folding refused.
            guard !name.isEmpty, name.allSatisfy(\.isTokenCharacter) else {
                throw HTTPParseError(.malformedHeader, "invalid header name \"\(name.prefix(200))\"")
            }
            headers.append((String(name), line[line.index(after: colon)...].trimmingSpaces()))
        }
        // A missing Host is tolerated (RFC 9112 §3.2 says 400): on a unix socket it names nothing.
        return HTTPRequest(method: String(parts[0]), target: String(parts[1]), version: version, headers: headers, body: [])
    }

    /// The head ends at the first empty line: CRLF CRLF, or bare LF LF which RFC 9112 §2.2 lets a
    /// recipient accept.
    private static func endOfHead(_ bytes: [UInt8]) -> (start: Int, end: Int)? {
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x0A {
                if index + 1 < bytes.count && bytes[index + 1] == 0x0A { return (index, index + 2) }
                if index + 2 < bytes.count && bytes[index + 1] == 0x0D && bytes[index + 2] == 0x0A { return (index, index + 3) }
            }
            index += 1
        }
        return nil
    }

    /// The line starting at `from`: where its terminator starts and where the next line starts.
    private static func line(in bytes: [UInt8], from: Int) -> (start: Int, end: Int)? {
        var index = from
        while index < bytes.count {
            if bytes[index] == 0x0A {
                let start = index > from && bytes[index - 1] == 0x0D ? index - 1 : index
                return (start, index + 1)
            }
            index += 1
        }
        return nil
    }
}

extension Character {
    /// tchar (RFC 9110 §5.6.2).
    var isTokenCharacter: Bool {
        guard let ascii = asciiValue else { return false }
        if ascii >= 0x30 && ascii <= 0x39 || ascii >= 0x41 && ascii <= 0x5A || ascii >= 0x61 && ascii <= 0x7A { return true }
        return "!#$%&'*+-.^_`|~".contains(self)
    }
}
