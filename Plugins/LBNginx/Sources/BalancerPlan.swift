import PaddockLBModel

/// Where a backend's upstream lives: `http {}` for http/https rules, `stream {}` for tcp/udp/sni.
enum ProxyContext: String {
    case http, stream

    init(_ proto: LBProtocol) { self = proto.isHTTP ? .http : .stream }
}

/// One upstream: rules that derive the same backend name (rancher's `<port>_<host>_<path>`, or
/// their backend_name) share it and their targets, as lb-controller merges them.
struct Backend: Equatable {
    var name: String
    var context: ProxyContext
    /// The first rule (index in port_rules) that names it, for errors.
    var rule: Int
    var targets: [Target]
}

/// The rules of one source port in rancher's order (RuleOrdering), with their port_rules index.
struct PortPlan {
    var port: Int
    var proto: LBProtocol
    var rules: [(index: Int, rule: PortRule)]
}

/// The model arranged the way nginx needs it: ports, backends, passive-health settings.
struct BalancerPlan {
    var ports: [PortPlan]
    var backends: [Backend]
    var health: PassiveHealth
    var warnings: [String]

    var httpPorts: [PortPlan] { ports.filter { $0.proto.isHTTP } }
    var streamPorts: [PortPlan] { ports.filter { !$0.proto.isHTTP } }

    func backend(_ name: String, _ context: ProxyContext) -> Backend? {
        backends.first { $0.name == name && $0.context == context }
    }

    init(_ config: LBConfig) {
        health = PassiveHealth(config.healthCheck)
        warnings = health.notes
        var order: [Int] = []
        var byPort: [Int: [Int]] = [:]
        for (index, rule) in config.portRules.enumerated() {
            if byPort[rule.sourcePort] == nil { order.append(rule.sourcePort) }
            byPort[rule.sourcePort, default: []].append(index)
        }
        ports = order.map { port in
            let indices = byPort[port]!
            let sorted = RuleOrdering.sorted(indices.map { config.portRules[$0] })
            // RuleOrdering returns rules; give each its index back (equal rules are interchangeable).
            var unused = indices
            let pairs = sorted.map { rule -> (index: Int, rule: PortRule) in
                let position = unused.firstIndex { config.portRules[$0] == rule }!
                return (unused.remove(at: position), rule)
            }
            return PortPlan(port: port, proto: config.portRules[indices[0]].proto, rules: pairs)
        }
        backends = []
        for plan in ports {
            for (index, rule) in plan.rules {
                let name = RuleOrdering.backendName(for: rule)
                let context = ProxyContext(rule.proto)
                if let position = backends.firstIndex(where: { $0.name == name && $0.context == context }) {
                    for target in rule.targets where !backends[position].targets.contains(target) {
                        backends[position].targets.append(target)
                    }
                } else {
                    var unique: [Target] = []
                    for target in rule.targets where !unique.contains(target) { unique.append(target) }
                    backends.append(Backend(name: name, context: context, rule: index, targets: unique))
                }
            }
            // tcp and udp have nothing to route on: the first backend of the port takes everything.
            if plan.proto == .tcp || plan.proto == .udp {
                let first = RuleOrdering.backendName(for: plan.rules[0].rule)
                for (index, rule) in plan.rules.dropFirst() where RuleOrdering.backendName(for: rule) != first {
                    warnings.append("port_rules[\(index)] is never used: \(plan.proto.rawValue) port \(plan.port) sends every connection to backend \(first)")
                }
            }
        }
        for backend in backends where backend.targets.isEmpty {
            warnings.append("backend \(backend.name) (port_rules[\(backend.rule)]) has no targets: "
                + (backend.context == .http ? "its requests get 503" : "its connections are closed"))
        }
    }
}

/// Open-source nginx judges servers from live traffic only: `max_fails` failures within
/// `fail_timeout` take a server out for `fail_timeout`. The service health_check maps onto that.
struct PassiveHealth: Equatable {
    var maxFails: Int
    var failTimeoutSeconds: Int
    var connectTimeoutMilliseconds: Int
    var notes: [String]

    init(_ check: HealthCheck?) {
        guard let check else {
            // nginx's own defaults, and rancher's 5 s connect timeout.
            maxFails = 1
            failTimeoutSeconds = 10
            connectTimeoutMilliseconds = 5000
            notes = []
            return
        }
        maxFails = check.unhealthyThreshold
        failTimeoutSeconds = max(1, (check.interval * check.unhealthyThreshold + 999) / 1000)
        connectTimeoutMilliseconds = check.responseTimeout
        notes = []
        if let line = check.requestLine {
            notes.append("health_check.request_line \"\(line)\" asks for active checks, which nginx open source does not have: "
                + "servers are judged passively from live traffic (\(summary))")
        }
        if let port = check.port {
            notes.append("health_check.port \(port) is not used: passive checks watch the traffic port")
        }
    }

    var summary: String { "max_fails=\(maxFails) fail_timeout=\(failTimeoutSeconds)s" }
    var check: String { "passive (\(summary))" }
}
