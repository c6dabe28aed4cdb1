import Foundation
import PaddockCore
import PaddockPosix

/// A watch on a key prefix through the gateway's streaming `/v3/watch`: each event (put, delete,
/// lease expiry) wakes `wait`. It only says *that* something changed — the reader re-reads the
/// range, so a lost or coalesced event costs nothing but a read. When the stream ends (etcd
/// stopped) `isOpen` turns false and the owner starts a new watch later. The stream is read on a
/// thread of its own over HTTPExchange's plain HTTP/1.1 (chunked, one JSON message per line).
public final class EtcdWatch: @unchecked Sendable {
    private let lock = NSLock()
    private let wake = DispatchSemaphore(value: 0)
    private var open = true
    private var connection: TCPConnection?

    /// Starts watching every key under `prefix` at endpoint number `endpointIndex` (modulo their
    /// count), so a caller that restarts a broken watch moves on to the next endpoint.
    public init(client: EtcdClient, prefix: String, endpointIndex: Int = 0) {
        let endpoints = client.settings.endpoints
        guard !endpoints.isEmpty, let endpoint = HTTPExchange.Endpoint(endpoints[endpointIndex % endpoints.count]) else {
            open = false
            return
        }
        let body = JSONValue.object(["create_request": .object([
            "key": .string(EtcdClient.base64(prefix)), "range_end": .string(EtcdClient.base64(EtcdClient.rangeEnd(prefix))),
        ])]).serialized()
        let timeout = client.settings.timeoutSeconds
        let thread = Thread { [self] in stream(endpoint, body: Array(body.utf8), timeout: timeout) }
        thread.name = "etcd-watch"
        thread.start()
    }

    public var isOpen: Bool { lock.withLock { open } }

    /// Waits up to `seconds` for an event; true when one came (or the stream ended).
    public func wait(seconds: Double) -> Bool { wake.wait(timeout: .now() + seconds) == .success }

    public func cancel() {
        lock.withLock {
            open = false
            connection?.shutdownBoth()
        }
    }

    private func stream(_ endpoint: HTTPExchange.Endpoint, body: [UInt8], timeout: Double) {
        defer {
            lock.withLock {
                open = false
                connection?.close()
                connection = nil
            }
            wake.signal()
        }
        guard let socket = try? TCPConnection.connect(host: endpoint.host, port: endpoint.port, timeoutSeconds: timeout) else { return }
        let cancelled = lock.withLock { () -> Bool in
            connection = socket
            return !open
        }
        guard !cancelled, (try? socket.send(HTTPExchange.request(endpoint, path: "/v3/watch", body: body),
                                            deadline: ChildProcess.monotonicSeconds() + timeout)) != nil else { return }
        var received: [UInt8] = []
        var head: HTTPExchange.Head?
        var decoder = ChunkedDecoder()
        var lines: [UInt8] = []
        let forever = Double.greatestFiniteMagnitude
        while let chunk = try? socket.receive(deadline: head == nil ? ChildProcess.monotonicSeconds() + timeout : forever), !chunk.isEmpty {
            var payload = chunk
            if head == nil {
                received += chunk
                guard let parsed = HTTPExchange.parseHead(received) else { continue }
                guard parsed.status == 200 else { return }
                head = parsed
                payload = Array(received[parsed.bodyStart...])
            }
            lines += head?.isChunked == true ? decoder.feed(payload) : payload
            var changed = false
            while let newline = lines.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(lines[..<newline])
                lines.removeFirst(newline + 1)
                if let message = try? JSONValue(parsing: line), let events = message["result"]?["events"]?.arrayValue, !events.isEmpty {
                    changed = true
                }
            }
            if changed { wake.signal() }
            if decoder.finished { return }
        }
    }
}
