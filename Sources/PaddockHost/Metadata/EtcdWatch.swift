import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PaddockCore

/// A watch on a key prefix through the gateway's streaming `/v3/watch`: each event (put, delete,
/// lease expiry) wakes `wait`. It only says *that* something changed — the reader re-reads the
/// range, so a lost or coalesced event costs nothing but a read. When the stream ends (etcd
/// stopped) `isOpen` turns false and the owner starts a new watch later.
public final class EtcdWatch: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private let wake = DispatchSemaphore(value: 0)
    private var buffer = Data()
    private var open = true
    private var session: URLSession?

    /// Starts watching every key under `prefix` at endpoint number `endpointIndex` (modulo their
    /// count), so a caller that restarts a broken watch moves on to the next endpoint.
    public init(client: EtcdClient, prefix: String, endpointIndex: Int = 0) {
        super.init()
        let body = JSONValue.object(["create_request": .object([
            "key": .string(EtcdClient.base64(prefix)), "range_end": .string(EtcdClient.base64(EtcdClient.rangeEnd(prefix))),
        ])]).serialized()
        let endpoints = client.settings.endpoints
        guard !endpoints.isEmpty, let url = URL(string: endpoints[endpointIndex % endpoints.count] + "/v3/watch") else {
            open = false
            return
        }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: 24 * 3600)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 24 * 3600
        let session = URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
        self.session = session
        session.dataTask(with: request).resume()
    }

    public var isOpen: Bool { lock.withLock { open } }

    /// Waits up to `seconds` for an event; true when one came (or the stream ended).
    public func wait(seconds: Double) -> Bool { wake.wait(timeout: .now() + seconds) == .success }

    public func cancel() {
        session?.invalidateAndCancel()
        lock.withLock { open = false }
    }

    public func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        var changed = false
        lock.withLock {
            buffer.append(data)
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                buffer.removeSubrange(buffer.startIndex...newline)
                if let message = try? JSONValue(parsing: Array(line)), let events = message["result"]?["events"]?.arrayValue,
                   !events.isEmpty {
                    changed = true
                }
            }
        }
        if changed { wake.signal() }
    }

    public func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        lock.withLock { open = false }
        wake.signal()
    }
}
