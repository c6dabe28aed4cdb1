@_exported import PaddockJSON

/// rancher-compose's `lb_config` for one balancer, validated. Shared (as source, statically linked)
/// by the LB drivers; the host never sees these Swift types.
public struct LBConfig: Sendable, Equatable {
    public var name: String
    public var portRules: [PortRule]
    public var certs: [String]
    public var defaultCert: String?
    public var stickiness: Stickiness?
    /// Custom config merged per section (`global`, `defaults`, `frontend <port>`, `backend <name>`).
    public var customConfig: String
    public var healthCheck: HealthCheck?

    public init(name: String, portRules: [PortRule], certs: [String] = [], defaultCert: String? = nil,
                stickiness: Stickiness? = nil, customConfig: String = "", healthCheck: HealthCheck? = nil) {
        self.name = name
        self.portRules = portRules
        self.certs = certs
        self.defaultCert = defaultCert
        self.stickiness = stickiness
        self.customConfig = customConfig
        self.healthCheck = healthCheck
    }
}

public enum LBProtocol: String, Sendable, CaseIterable {
    case http, https, tcp, sni, udp

    /// Whether the frontend speaks HTTP (host and path rules apply).
    public var isHTTP: Bool { self == .http || self == .https }
}

public struct Target: Sendable, Hashable, CustomStringConvertible {
    public var address: String
    public var port: Int

    public init(address: String, port: Int) {
        self.address = address
        self.port = port
    }

    public var description: String { address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)" }
}

public struct PortRule: Sendable, Equatable {
    public var sourcePort: Int
    public var proto: LBProtocol
    public var hostname: String?
    public var path: String?
    public var priority: Int
    public var service: String?
    public var targets: [Target]
    public var targetPort: Int?
    public var backendName: String?

    public init(sourcePort: Int, proto: LBProtocol, hostname: String? = nil, path: String? = nil, priority: Int = 0,
                service: String? = nil, targets: [Target] = [], targetPort: Int? = nil, backendName: String? = nil) {
        self.sourcePort = sourcePort
        self.proto = proto
        self.hostname = hostname
        self.path = path
        self.priority = priority
        self.service = service
        self.targets = targets
        self.targetPort = targetPort
        self.backendName = backendName
    }
}

/// rancher's `stickiness_policy`: a cookie the balancer inserts (or prefixes) to pin a client.
public struct Stickiness: Sendable, Equatable {
    public var cookie: String
    public var mode: String
    public var indirect: Bool
    public var nocache: Bool
    public var postonly: Bool
    public var domain: String?
}

/// The service `health_check`; times in milliseconds.
public struct HealthCheck: Sendable, Equatable {
    public var port: Int?
    public var interval: Int
    public var healthyThreshold: Int
    public var unhealthyThreshold: Int
    public var responseTimeout: Int
    public var requestLine: String?

    public init(port: Int? = nil, interval: Int = 2000, healthyThreshold: Int = 2, unhealthyThreshold: Int = 3,
                responseTimeout: Int = 2000, requestLine: String? = nil) {
        self.port = port
        self.interval = interval
        self.healthyThreshold = healthyThreshold
        self.unhealthyThreshold = unhealthyThreshold
        self.responseTimeout = responseTimeout
        self.requestLine = requestLine
    }
}

/// A model error that names the offending rule and what to do.
public struct LBModelError: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: String
    public var message: String

    public init(_ location: String, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { location.isEmpty ? message : "\(location): \(message)" }
}
