import PaddockCore

/// `"metadata"` in paddock.json: where the host's metadata service reads from.
/// `{"host": NAME, "etcd": {"endpoints": ["http://127.0.0.1:2379"], "prefix": "/paddock/",
/// "timeout_seconds": 2, "attempts": 3, "max_request_bytes": 1572864}}`; without `etcd` it is the local file `<state>/metadata.json`.
public struct MetadataSettings: Sendable, Equatable {
    /// This machine's name in the environment (default: the hostname).
    public var host: String?
    public var etcd: EtcdSettings?

    public init(host: String? = nil, etcd: EtcdSettings? = nil) {
        self.host = host
        self.etcd = etcd
    }

    static func parse(_ value: JSONValue, file: String) throws(HostError) -> MetadataSettings {
        guard let object = value.objectValue else {
            throw HostError(.invalidConfig, "settings file \(file): \"metadata\" must be an object", hint: "e.g. {\"etcd\": {\"endpoints\": [\"http://127.0.0.1:2379\"]}}")
        }
        var settings = MetadataSettings()
        for (key, item) in object {
            switch key {
            case "host":
                guard let name = item.stringValue, !name.isEmpty else {
                    throw HostError(.invalidConfig, "settings file \(file): metadata.host must be a non-empty string", hint: "give this machine's name")
                }
                settings.host = name
            case "etcd": settings.etcd = try EtcdSettings.parse(item, file: file)
            default:
                throw HostError(.invalidConfig, "settings file \(file) has unknown key \"metadata.\(key)\"", hint: "known keys: host, etcd")
            }
        }
        return settings
    }
}

/// The etcd v3 store behind the metadata service.
public struct EtcdSettings: Sendable, Equatable {
    public var endpoints: [String]
    public var prefix: String
    /// Per request.
    public var timeoutSeconds: Double
    /// Rounds over all endpoints before giving up (bounded retry).
    public var attempts: Int
    /// etcd's --max-request-bytes (default 1.5 MiB); larger requests are refused before sending.
    public var maxRequestBytes: Int

    public init(endpoints: [String], prefix: String = "/paddock/", timeoutSeconds: Double = 2, attempts: Int = 3,
                maxRequestBytes: Int = 1_572_864) {
        self.endpoints = endpoints
        self.prefix = prefix
        self.timeoutSeconds = timeoutSeconds
        self.attempts = attempts
        self.maxRequestBytes = maxRequestBytes
    }

    static func parse(_ value: JSONValue, file: String) throws(HostError) -> EtcdSettings {
        let fix = "e.g. {\"endpoints\": [\"http://127.0.0.1:2379\"], \"prefix\": \"/paddock/\"}"
        guard let object = value.objectValue else {
            throw HostError(.invalidConfig, "settings file \(file): metadata.etcd must be an object", hint: fix)
        }
        var settings = EtcdSettings(endpoints: [])
        for (key, item) in object {
            switch key {
            case "endpoints":
                guard let list = item.arrayValue?.compactMap(\.stringValue), list.count == item.arrayValue?.count, !list.isEmpty else {
                    throw HostError(.invalidConfig, "settings file \(file): metadata.etcd.endpoints must be a non-empty list of URLs", hint: fix)
                }
                for endpoint in list where HTTPExchange.Endpoint(endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint) == nil {
                    let why = endpoint.hasPrefix("https://") ? "uses TLS, which this client does not speak yet" : "is not an http://HOST:PORT URL"
                    throw HostError(.invalidConfig, "settings file \(file): etcd endpoint \"\(endpoint)\" \(why)",
                                    hint: "give plain http endpoints (e.g. etcd on 127.0.0.1 or a private network), as \(fix)")
                }
                settings.endpoints = list.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
            case "prefix":
                guard let prefix = item.stringValue, !prefix.isEmpty else {
                    throw HostError(.invalidConfig, "settings file \(file): metadata.etcd.prefix must be a non-empty string", hint: fix)
                }
                settings.prefix = prefix
            case "timeout_seconds":
                guard let seconds = item.doubleValue, seconds > 0, seconds <= 60 else {
                    throw HostError(.invalidConfig, "settings file \(file): metadata.etcd.timeout_seconds must be in (0, 60]", hint: fix)
                }
                settings.timeoutSeconds = seconds
            case "attempts":
                guard let count = item.intValue, (1...10).contains(count) else {
                    throw HostError(.invalidConfig, "settings file \(file): metadata.etcd.attempts must be 1–10", hint: fix)
                }
                settings.attempts = count
            case "max_request_bytes":
                guard let count = item.intValue, count >= 4096 else {
                    throw HostError(.invalidConfig, "settings file \(file): metadata.etcd.max_request_bytes must be at least 4096", hint: fix)
                }
                settings.maxRequestBytes = count
            default:
                throw HostError(.invalidConfig, "settings file \(file) has unknown key \"metadata.etcd.\(key)\"",
                                hint: "known keys: endpoints, prefix, timeout_seconds, attempts, max_request_bytes")
            }
        }
        guard !settings.endpoints.isEmpty else {
            throw HostError(.invalidConfig, "settings file \(file): metadata.etcd needs \"endpoints\"", hint: fix)
        }
        return settings
    }
}
