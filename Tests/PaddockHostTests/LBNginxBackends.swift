import Foundation
import Glibc

/// A backend server inside the test process, on 127.0.0.1: `http` answers every HTTP/1.1 request
/// (keep-alive included) with its name as the body; `greeting` writes its name on every TCP
/// connection (for sni passthrough, where the client speaks TLS the backend need not understand);
/// `udp` answers every datagram with its name. Thread per connection: fast enough for wrk.
final class LBTestBackend: @unchecked Sendable {
    enum Mode { case http, greeting, udp }

    let name: String
    let mode: Mode
    private(set) var port: UInt16 = 0
    private let lock = NSLock()
    private var listener: Int32 = -1
    private var connections: Set<Int32> = []
    private var served = 0
    private var stopped = DispatchSemaphore(value: 0)
    private var running = false

    init(_ name: String, mode: Mode = .http) throws {
        self.name = name
        self.mode = mode
        try start(port: 0)
    }

    var requests: Int { lock.withLock { served } }
    var address: String { "127.0.0.1:\(port)" }

    /// Listens again (on the same port after `stop`).
    func start(port wanted: UInt16? = nil) throws {
        let fd = socket(AF_INET, Int32(mode == .udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = (wanted ?? port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw HarnessError("bind 127.0.0.1:\(wanted ?? port): \(String(cString: strerror(errno)))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        lock.withLock {
            listener = fd
            running = true
            stopped = DispatchSemaphore(value: 0)
        }
        if mode == .udp {
            var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            Thread.detachNewThread { self.answerDatagrams(fd) }
        } else {
            listen(fd, 1024)
            Thread.detachNewThread { self.acceptLoop(fd) }
        }
    }

    /// Closes the listener and every open connection, as a killed server would.
    func stop() {
        let (fd, open, wasRunning, done) = lock.withLock { () -> (Int32, Set<Int32>, Bool, DispatchSemaphore) in
            let state = (listener, connections, running, stopped)
            running = false
            return state
        }
        guard wasRunning else { return }
        shutdown(fd, Int32(SHUT_RDWR))
        for connection in open { shutdown(connection, Int32(SHUT_RDWR)) }
        _ = done.wait(timeout: .now() + 5)
    }

    private func acceptLoop(_ fd: Int32) {
        while true {
            let connection = accept(fd, nil, nil)
            if connection < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                break
            }
            let accepted = lock.withLock { () -> Bool in
                guard running else { return false }
                connections.insert(connection)
                return true
            }
            guard accepted else { close(connection); break }
            Thread.detachNewThread { self.serve(connection) }
        }
        close(fd)
        lock.withLock { stopped }.signal()
    }

    private func answerDatagrams(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 2048)
        while lock.withLock({ running }) {
            var peer = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let count = withUnsafeMutablePointer(to: &peer) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, &buffer, buffer.count, 0, $0, &length) }
            }
            guard count > 0 else { continue }
            lock.withLock { served += 1 }
            let reply = Array(name.utf8)
            _ = withUnsafePointer(to: &peer) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, reply, reply.count, 0, $0, length) }
            }
        }
        close(fd)
        lock.withLock { stopped }.signal()
    }

    private func serve(_ fd: Int32) {
        defer {
            lock.withLock { _ = connections.remove(fd) }
            close(fd)
        }
        if mode == .greeting {
            lock.withLock { served += 1 }
            writeAll(fd, Array("\(name)\n".utf8))
            var sink = [UInt8](repeating: 0, count: 4096)
            while read(fd, &sink, sink.count) > 0 {}
            return
        }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        let separator = Array("\r\n\r\n".utf8)
        while true {
            var end: Int? = Self.find(separator, in: pending)
            while end == nil {
                let count = read(fd, &chunk, chunk.count)
                if count <= 0 { return }
                pending += chunk[0..<count]
                end = Self.find(separator, in: pending)
            }
            let head = String(decoding: pending[0..<end!], as: UTF8.self).lowercased()
            var bodyLength = 0
            for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
                bodyLength = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
            }
            while pending.count < end! + 4 + bodyLength {
                let count = read(fd, &chunk, chunk.count)
                if count <= 0 { return }
                pending += chunk[0..<count]
            }
            pending.removeFirst(end! + 4 + bodyLength)
            lock.withLock { served += 1 }
            let closing = head.contains("\r\nconnection: close")
            let body = Array(name.utf8)
            let response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \(body.count)\r\nX-Backend: \(name)\r\n"
                + (closing ? "Connection: close\r\n" : "") + "\r\n"
            guard writeAll(fd, Array(response.utf8) + body), !closing else { return }
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<start + needle.count]) == needle { return start }
        }
        return nil
    }
}

@discardableResult
func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var written = 0
    while written < bytes.count {
        let count = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + written, $0.count - written, Int32(MSG_NOSIGNAL)) }
        if count < 0 {
            if errno == EINTR { continue }
            return false
        }
        written += count
    }
    return true
}

/// Clients for the tests: raw HTTP/1.1 (so Host and Cookie are ours to set), a TLS ClientHello
/// carrying only SNI, and UDP.
enum LBTestClient {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    static func connect(_ port: Int, timeout: Int = 5) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw HarnessError("connect 127.0.0.1:\(port): \(reason)")
        }
        return fd
    }

    static func readAll(_ fd: Int32) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count <= 0 { return result }
            result += chunk[0..<count]
        }
    }

    static func get(_ port: Int, host: String = "localhost", path: String = "/", headers: [String: String] = [:]) throws -> Response {
        let fd = try connect(port)
        defer { close(fd) }
        var request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n"
        for (key, value) in headers { request += "\(key): \(value)\r\n" }
        writeAll(fd, Array((request + "\r\n").utf8))
        let text = String(decoding: readAll(fd), as: UTF8.self)
        guard let split = text.firstRange(of: "\r\n\r\n") else { throw HarnessError("no HTTP response from port \(port): \(text)") }
        let lines = text[..<split.lowerBound].split(separator: "\r\n")
        let parts = lines.first?.split(separator: " ") ?? []
        guard parts.count >= 2, let status = Int(parts[1]) else { throw HarnessError("bad status line: \(lines.first ?? "")") }
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(status: status, headers: fields, body: String(text[split.upperBound...]))
    }

    /// Connects, sends a ClientHello naming `serverName`, and returns the first line the (plain
    /// TCP) backend behind the sni rule wrote back.
    static func sniGreeting(_ port: Int, serverName: String) throws -> String {
        let fd = try connect(port)
        defer { close(fd) }
        writeAll(fd, clientHello(serverName))
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1 {
            if byte == 0x0A { break }
            line.append(byte)
        }
        return String(decoding: line, as: UTF8.self)
    }

    static func clientHello(_ serverName: String) -> [UInt8] {
        func be16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }
        let name = Array(serverName.utf8)
        let entry: [UInt8] = [0x00] + be16(name.count) + name
        let list = be16(entry.count) + entry
        let extensionBytes: [UInt8] = [0x00, 0x00] + be16(list.count) + list
        let body: [UInt8] = [0x03, 0x03] + [UInt8](repeating: 7, count: 32) + [0x00]
            + [0x00, 0x02, 0x13, 0x01] + [0x01, 0x00] + be16(extensionBytes.count) + extensionBytes
        let handshake: [UInt8] = [0x01, 0x00] + be16(body.count) + body
        return [0x16, 0x03, 0x01] + be16(handshake.count) + handshake
    }

    static func udp(_ port: Int, _ message: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var limit = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bytes = Array(message.utf8)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var buffer = [UInt8](repeating: 0, count: 2048)
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count > 0 else { throw HarnessError("no UDP answer from port \(port)") }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    /// A port nothing listens on right now (bind to 0, read it, let it go).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { throw HarnessError("cannot find a free port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
