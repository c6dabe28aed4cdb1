import Foundation
import PaddockCore
import PaddockPosix

/// etcd v3 through its JSON gateway (`/v3/kv/range`, `/v3/kv/put`, `/v3/kv/deleterange`,
/// `/v3/lease/grant|keepalive|revoke`): keys and values travel base64-encoded, int64 fields as
/// decimal strings. Requests go to the endpoints in order; an unreachable round is retried a
/// bounded number of times, then the error names every endpoint and the fix.
public struct EtcdClient: Sendable {
    public let settings: EtcdSettings
    /// Where the settings came from, for the fix in error messages.
    public let settingsFile: String

    public init(settings: EtcdSettings, settingsFile: String = "paddock.json") {
        self.settings = settings
        self.settingsFile = settingsFile
    }

    public struct KeyValue: Sendable, Equatable {
        public var key: String
        public var value: [UInt8]
        public var modRevision: Int64
        public var lease: Int64
    }

    public struct RangeResult: Sendable {
        public var revision: Int64
        public var kvs: [KeyValue]
    }

    /// Every key under `prefix`, read at one revision (one consistent snapshot).
    public func range(prefix: String) throws(HostError) -> RangeResult {
        let answer = try call("/v3/kv/range", ["key": .string(Self.base64(prefix)),
                                               "range_end": .string(Self.base64(Self.rangeEnd(prefix)))])
        let kvs = (answer["kvs"]?.arrayValue ?? []).compactMap { item -> KeyValue? in
            guard let key = item["key"]?.stringValue.flatMap(Self.decode), let text = String(validating: key, as: UTF8.self) else { return nil }
            return KeyValue(key: text, value: item["value"]?.stringValue.flatMap(Self.decode) ?? [],
                            modRevision: Self.int64(item["mod_revision"]), lease: Self.int64(item["lease"]))
        }
        return RangeResult(revision: Self.int64(answer["header"]?["revision"]), kvs: kvs)
    }

    public func put(_ key: String, _ value: [UInt8], lease: Int64? = nil) throws(HostError) {
        var body: [String: JSONValue] = ["key": .string(Self.base64(key)), "value": .string(Data(value).base64EncodedString())]
        if let lease { body["lease"] = .string(String(lease)) }
        _ = try call("/v3/kv/put", body)
    }

    public func delete(prefix: String) throws(HostError) {
        _ = try call("/v3/kv/deleterange", ["key": .string(Self.base64(prefix)),
                                            "range_end": .string(Self.base64(Self.rangeEnd(prefix)))])
    }

    /// A lease of `ttl` seconds; returns its ID.
    public func grantLease(ttl: Int) throws(HostError) -> Int64 {
        let answer = try call("/v3/lease/grant", ["TTL": .string(String(ttl))])
        let id = Self.int64(answer["ID"])
        guard id != 0 else { throw failure("etcd granted no lease: \(answer.serialized())") }
        return id
    }

    /// Renews the lease; returns its remaining TTL, 0 when etcd no longer knows it (expired).
    public func keepAlive(lease: Int64) throws(HostError) -> Int {
        let answer = try call("/v3/lease/keepalive", ["ID": .string(String(lease))])
        return Int(Self.int64(answer["result"]?["TTL"] ?? answer["TTL"]))
    }

    /// The IDs of every lease etcd holds.
    public func leases() throws(HostError) -> [Int64] {
        let answer = try call("/v3/lease/leases", [:])
        return (answer["leases"]?.arrayValue ?? []).map { Self.int64($0["ID"]) }
    }

    public func revoke(lease: Int64) throws(HostError) {
        _ = try call("/v3/lease/revoke", ["ID": .string(String(lease))])
    }

    // MARK: transport

    func call(_ path: String, _ body: [String: JSONValue]) throws(HostError) -> JSONValue {
        let payload = Data(JSONValue.object(body).serialized().utf8)
        // etcd closes the connection on a request over its limit without an HTTP answer: refuse
        // such a request here, with the fix, rather than report etcd as unreachable.
        guard payload.count <= settings.maxRequestBytes else {
            throw HostError(.invalidInput, "a \(payload.count)-byte request to etcd \(path) is over the \(settings.maxRequestBytes)-byte request limit",
                            hint: "make the record smaller, or raise etcd's --max-request-bytes and \"metadata.etcd.max_request_bytes\" in \(settingsFile)")
        }
        var problems: [String] = []
        for attempt in 0..<settings.attempts {
            if attempt > 0 { Thread.sleep(forTimeInterval: min(0.2 * Double(1 << attempt), 2)) }
            for endpoint in settings.endpoints {
                switch post(endpoint + path, payload) {
                case .answer(let value): return value
                case .refused(let message):
                    // etcd answered but refused the request: retrying will not help.
                    throw failure("etcd at \(endpoint) refused \(path): \(message)")
                case .unreachable(let message):
                    problems.append("\(endpoint): \(message)")
                }
            }
        }
        throw HostError(.io, "etcd is unreachable at \(settings.endpoints.joined(separator: ", ")) (\(settings.attempts) attempts; last: \(problems.last ?? "no answer"))",
                        hint: "start etcd there, or fix \"metadata.etcd.endpoints\" in \(settingsFile)")
    }

    func failure(_ message: String) -> HostError {
        HostError(.io, message, hint: "check etcd's log; the metadata settings are in \(settingsFile)")
    }

    enum Outcome: Sendable {
        case answer(JSONValue)
        case refused(String)
        case unreachable(String)
    }

    /// One POST over HTTPExchange (see there why not URLSession), synchronous: callers are
    /// plugin service calls and the agent loop.
    func post(_ url: String, _ payload: Data) -> Outcome {
        guard let endpoint = HTTPExchange.Endpoint(url.components(separatedBy: "/v3/").first ?? url),
              let path = url.range(of: "/v3/").map({ String(url[$0.lowerBound...]) }) else {
            return .refused("\(url) is not an http://HOST:PORT URL")
        }
        let response: HTTPExchange.Response?
        do {
            response = try HTTPExchange.post(endpoint, path: path, body: Array(payload), timeoutSeconds: settings.timeoutSeconds)
        } catch {
            return .unreachable(error.errno == ETIMEDOUT ? "no answer in \(settings.timeoutSeconds) s (\(error.call))" : "\(error)")
        }
        guard let response else { return .unreachable("the connection closed without an answer") }
        let value = (try? JSONValue(parsing: response.body)) ?? .null
        if response.status == 200, value.objectValue != nil { return .answer(value) }
        let message = value["message"]?.stringValue ?? value["error"]?.stringValue ?? String(decoding: response.body, as: UTF8.self)
        if response.status >= 500 { return .unreachable("HTTP \(response.status): \(message)") }
        return .refused("HTTP \(response.status): \(message)")
    }

    // MARK: encoding

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    static func decode(_ text: String) -> [UInt8]? { Data(base64Encoded: text).map(Array.init) }

    /// The end of the range holding every key that starts with `prefix`: the prefix with its last
    /// byte incremented (bytes 0xff dropped first), as etcd's clientv3 computes it.
    static func rangeEnd(_ prefix: String) -> [UInt8] {
        var bytes = Array(prefix.utf8)
        while let last = bytes.last {
            if last < 0xff {
                bytes[bytes.count - 1] = last + 1
                return bytes
            }
            bytes.removeLast()
        }
        return [0]
    }

    static func int64(_ value: JSONValue?) -> Int64 {
        if let text = value?.stringValue { return Int64(text) ?? 0 }
        return Int64(value?.doubleValue ?? 0)
    }
}
