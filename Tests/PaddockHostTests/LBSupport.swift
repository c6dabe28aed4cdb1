import Foundation
import Glibc
import PaddockPosix
import XCTest

/// Real backends and load for the LB tests: tiny HTTP servers in this process that answer with
/// their own name, TCP echo-name servers, free ports, and wrk.
final class NamedHTTPServer: @unchecked Sendable {
    let name: String
    let port: Int
    private let listener: Int32
    private var running = true
    private let thread: Thread
    private let lock = NSLock()
    private(set) var hits = 0
    /// Answers "/healthz" with 200 unless set unhealthy.
    var healthy = true

    init(name: String, tcpOnly: Bool = false, port requested: Int = 0) throws {
        self.name = name
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(requested).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 512) == 0 else { throw SystemError("bind/listen") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        let box = Box()
        thread = Thread { box.server?.acceptLoop(tcpOnly: tcpOnly) }
        box.server = self
        thread.start()
    }

    final class Box: @unchecked Sendable { weak var server: NamedHTTPServer? }

    private func acceptLoop(tcpOnly: Bool) {
        while true {
            lock.lock()
            let go = running
            lock.unlock()
            guard go else { return }
            let client = accept(listener, nil, nil)
            if client < 0 { if errno == EINTR { continue }; return }
            let name = self.name
            Thread.detachNewThread { [weak self] in
                defer { close(client) }
                if tcpOnly {
                    let line = Array("\(name)\n".utf8)
                    _ = line.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    self?.count()
                    return
                }
                self?.serve(client)
            }
        }
    }

    private func count() {
        lock.lock()
        hits += 1
        lock.unlock()
    }

    /// HTTP/1.1 with keep-alive: answers every request with 200 and the server's name.
    private func serve(_ client: Int32) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let got = recv(client, &buffer, buffer.count, 0)
            if got <= 0 { return }
            pending += buffer[0..<got]
            while let end = pending.firstRange(of: [13, 10, 13, 10]) {
                let head = String(decoding: pending[..<end.lowerBound], as: UTF8.self)
                pending.removeSubrange(..<end.upperBound)
                let requestLine = head.split(separator: "\r\n").first.map(String.init) ?? ""
                let isHealth = requestLine.contains("/healthz")
                lock.lock()
                let ok = !isHealth || healthy
                if !isHealth { hits += 1 }
                lock.unlock()
                let body = ok ? "\(name)\n" : "sick\n"
                let status = ok ? "200 OK" : "503 Service Unavailable"
                let close = head.lowercased().contains("connection: close")
                let response = "HTTP/1.1 \(status)\r\nContent-Length: \(body.utf8.count)\r\nContent-Type: text/plain\r\n\(close ? "Connection: close\r\n" : "")\r\n\(body)"
                let bytes = Array(response.utf8)
                _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if close { return }
            }
        }
    }

    func stop() {
        lock.lock()
        running = false
        lock.unlock()
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    var target: String { "127.0.0.1:\(port)" }
}

enum LBTest {
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw SystemError("bind") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// One HTTP request with curl-like control over the Host header; returns (status, body).
    static func get(_ port: Int, path: String = "/", host: String? = nil, cookie: String? = nil,
                    timeout: Double = 5) -> (status: Int, body: String, headers: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return (0, "connect failed: \(errno)", "") }
        var request = "GET \(path) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\nConnection: close\r\n"
        if let cookie { request += "Cookie: \(cookie)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let got = recv(fd, &buffer, buffer.count, 0)
            if got <= 0 { break }
            reply += buffer[0..<got]
        }
        let text = String(decoding: reply, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let statusLine = parts.first?.split(separator: "\r\n").first ?? ""
        let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, parts.dropFirst().joined(separator: "\r\n\r\n"), parts.first ?? "")
    }

    /// Reads one line from a TCP port (the TCP name servers send their name and close).
    static func tcpLine(_ port: Int) -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return "" }
        var buffer = [UInt8](repeating: 0, count: 256)
        let got = recv(fd, &buffer, buffer.count, 0)
        return got > 0 ? String(decoding: buffer[0..<got], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
    }

    struct WrkResult {
        var requests: Int
        var non2xx: Int
        var socketErrors: Int
        var output: String
    }

    /// Runs wrk against 127.0.0.1:port (bounded duration) while `during` runs.
    static func wrk(port: Int, seconds: Int, connections: Int = 20, during: () throws -> Void) throws -> WrkResult {
        guard FileSystem.exists("/usr/bin/wrk") else { throw XCTSkip("wrk is not installed (Debian wrk); .ci/run installs it") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = ["-t", "2", "-c", String(connections), "-d", "\(seconds)s", "http://127.0.0.1:\(port)/"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        usleep(300_000)
        try during()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        func number(after label: String) -> Int {
            guard let range = output.range(of: label) else { return 0 }
            let digits = output[range.upperBound...].drop { $0 == " " }.prefix { $0.isNumber }
            return Int(digits) ?? 0
        }
        let requests = Int(output.split(separator: "\n").first { $0.contains("requests in") }?
            .trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") ?? 0
        var socketErrors = 0
        if let line = output.split(separator: "\n").first(where: { $0.contains("Socket errors") }) {
            socketErrors = line.split(separator: ",").compactMap { part in Int(part.split(separator: " ").last ?? "") }.reduce(0, +)
        }
        return WrkResult(requests: requests, non2xx: number(after: "Non-2xx or 3xx responses:"), socketErrors: socketErrors, output: output)
    }
}
