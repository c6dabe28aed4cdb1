/// Parsing the contract payload {"name", "lb_config": {...}, "health_check": {...}} into LBConfig.
extension LBConfig {
    public static let namePattern = "a-z0-9, '-' and '_'"

    public static func parse(_ payload: JSONValue) throws(LBModelError) -> LBConfig {
        guard case .object = payload else { throw LBModelError("", "the request must be a JSON object") }
        guard let name = payload["name"]?.stringValue, isValidName(name) else {
            throw LBModelError("name", "a balancer needs a \"name\" of 1-63 characters from \(namePattern)")
        }
        let config = payload["lb_config"] ?? .object([:])
        guard case .object(let fields) = config else { throw LBModelError("lb_config", "must be an object") }
        for key in fields.keys where !["port_rules", "certs", "default_cert", "stickiness_policy", "config"].contains(key) {
            throw LBModelError("lb_config.\(key)", "unknown key; lb_config takes port_rules, certs, default_cert, stickiness_policy, config")
        }
        guard let rulesValue = fields["port_rules"]?.arrayValue, !rulesValue.isEmpty else {
            throw LBModelError("lb_config.port_rules", "at least one port rule is required")
        }
        var rules: [PortRule] = []
        for (index, value) in rulesValue.enumerated() {
            rules.append(try PortRule.parse(value, location: "port_rules[\(index)]"))
        }
        try checkPortConflicts(rules)
        let certs = try stringList(fields["certs"], "lb_config.certs")
        let defaultCert = try optionalString(fields["default_cert"], "lb_config.default_cert")
        let needsCert = rules.contains { $0.proto == .https }
        if needsCert && certs.isEmpty && defaultCert == nil {
            throw LBModelError("lb_config", "https rules need a certificate: set default_cert or certs")
        }
        var stickiness: Stickiness?
        if let value = fields["stickiness_policy"], !value.isNull {
            stickiness = try Stickiness.parse(value)
        }
        let custom = try optionalString(fields["config"], "lb_config.config") ?? ""
        var health: HealthCheck?
        if let value = payload["health_check"], !value.isNull {
            health = try HealthCheck.parse(value)
        }
        return LBConfig(name: name, portRules: rules, certs: certs, defaultCert: defaultCert, stickiness: stickiness,
                        customConfig: custom, healthCheck: health)
    }

    static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count) else { return false }
        return bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F }
    }

    /// One source port is one frontend: its rules must agree on the protocol family.
    static func checkPortConflicts(_ rules: [PortRule]) throws(LBModelError) {
        var byPort: [Int: LBProtocol] = [:]
        for (index, rule) in rules.enumerated() {
            if let existing = byPort[rule.sourcePort], existing != rule.proto {
                throw LBModelError("port_rules[\(index)]",
                    "source_port \(rule.sourcePort) is already used with protocol \(existing.rawValue); one port serves one protocol")
            }
            byPort[rule.sourcePort] = rule.proto
        }
    }

    static func stringList(_ value: JSONValue?, _ location: String) throws(LBModelError) -> [String] {
        guard let value, !value.isNull else { return [] }
        guard let items = value.arrayValue else { throw LBModelError(location, "must be an array of strings") }
        var result: [String] = []
        for item in items {
            guard let text = item.stringValue else { throw LBModelError(location, "must be an array of strings") }
            result.append(text)
        }
        return result
    }

    static func optionalString(_ value: JSONValue?, _ location: String) throws(LBModelError) -> String? {
        guard let value, !value.isNull else { return nil }
        guard let text = value.stringValue else { throw LBModelError(location, "must be a string") }
        return text
    }
}

extension PortRule {
    static func parse(_ value: JSONValue, location: String) throws(LBModelError) -> PortRule {
        guard case .object(let fields) = value else { throw LBModelError(location, "must be an object") }
        let known = ["source_port", "protocol", "hostname", "path", "priority", "service", "targets", "target_port", "backend_name"]
        for key in fields.keys where !known.contains(key) {
            throw LBModelError("\(location).\(key)", "unknown key; a port rule takes \(known.joined(separator: ", "))")
        }
        let sourcePort = try port(fields["source_port"], "\(location).source_port", required: true)!
        let protoText = fields["protocol"]?.stringValue ?? "http"
        guard let proto = LBProtocol(rawValue: protoText) else {
            throw LBModelError("\(location).protocol", "\"\(protoText)\" is not one of http, https, tcp, sni, udp")
        }
        let hostname = try LBConfig.optionalString(fields["hostname"], "\(location).hostname")
        if let hostname {
            guard !hostname.isEmpty, !hostname.contains(where: { $0 == " " || $0 == "\t" || $0.isNewline }) else {
                throw LBModelError("\(location).hostname", "\"\(hostname)\" must not be empty or contain spaces")
            }
            let stars = hostname.filter { $0 == "*" }.count
            guard stars == 0 || (stars == 1 && (hostname.hasPrefix("*.") || hostname.hasSuffix(".*"))) else {
                throw LBModelError("\(location).hostname", "\"\(hostname)\": a wildcard is only allowed as *.domain or name.*")
            }
            guard proto.isHTTP || proto == .sni else {
                throw LBModelError("\(location).hostname", "hostname rules need protocol http, https or sni, not \(proto.rawValue)")
            }
        }
        let path = try LBConfig.optionalString(fields["path"], "\(location).path")
        if let path {
            guard path.hasPrefix("/") else { throw LBModelError("\(location).path", "\"\(path)\" must start with /") }
            guard !path.contains(where: { $0 == " " || $0.isNewline }) else {
                throw LBModelError("\(location).path", "\"\(path)\" must not contain spaces")
            }
            guard proto.isHTTP else { throw LBModelError("\(location).path", "path rules need protocol http or https") }
        }
        var priority = 0
        if let value = fields["priority"], !value.isNull {
            guard let number = value.intValue else { throw LBModelError("\(location).priority", "must be an integer") }
            priority = number
        }
        let service = try LBConfig.optionalString(fields["service"], "\(location).service")
        var targets: [Target] = []
        for (index, text) in try LBConfig.stringList(fields["targets"], "\(location).targets").enumerated() {
            targets.append(try Target.parse(text, location: "\(location).targets[\(index)]"))
        }
        guard service == nil || targets.isEmpty else {
            throw LBModelError(location, "give either service or targets, not both")
        }
        let targetPort = try port(fields["target_port"], "\(location).target_port", required: false)
        let backendName = try LBConfig.optionalString(fields["backend_name"], "\(location).backend_name")
        if let backendName, backendName.isEmpty || backendName.contains(where: { $0 == " " }) {
            throw LBModelError("\(location).backend_name", "must be a non-empty name without spaces")
        }
        return PortRule(sourcePort: sourcePort, proto: proto, hostname: hostname, path: path, priority: priority,
                        service: service, targets: targets, targetPort: targetPort, backendName: backendName)
    }

    static func port(_ value: JSONValue?, _ location: String, required: Bool) throws(LBModelError) -> Int? {
        guard let value, !value.isNull else {
            if required { throw LBModelError(location, "is required (1-65535)") }
            return nil
        }
        guard let number = value.intValue, (1...65535).contains(number) else {
            throw LBModelError(location, "\(value.serialized()) is not a port (1-65535)")
        }
        return number
    }
}

extension Target {
    /// "ip:port" or "[v6]:port".
    static func parse(_ text: String, location: String) throws(LBModelError) -> Target {
        var host = Substring(text), portText = Substring("")
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw LBModelError(location, "\"\(text)\" is not [IPv6]:port")
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw LBModelError(location, "\"\(text)\" is not ip:port") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw LBModelError(location, "\"\(text)\" has no valid port (1-65535)")
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " }) else { throw LBModelError(location, "\"\(text)\" has no address") }
        return Target(address: String(host), port: port)
    }
}

extension Stickiness {
    static func parse(_ value: JSONValue) throws(LBModelError) -> Stickiness {
        guard case .object = value else { throw LBModelError("stickiness_policy", "must be an object") }
        let cookie = value["cookie"]?.stringValue ?? value["name"]?.stringValue ?? "PADDOCKSRV"
        guard !cookie.isEmpty, cookie.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
            throw LBModelError("stickiness_policy.cookie", "\"\(cookie)\" is not a cookie name")
        }
        let mode = value["mode"]?.stringValue ?? "insert"
        guard ["insert", "prefix", "rewrite"].contains(mode) else {
            throw LBModelError("stickiness_policy.mode", "\"\(mode)\" is not insert, prefix or rewrite")
        }
        return Stickiness(cookie: cookie, mode: mode, indirect: value["indirect"]?.boolValue ?? false,
                          nocache: value["nocache"]?.boolValue ?? false, postonly: value["postonly"]?.boolValue ?? false,
                          domain: value["domain"]?.stringValue)
    }
}

extension HealthCheck {
    static func parse(_ value: JSONValue) throws(LBModelError) -> HealthCheck {
        guard case .object = value else { throw LBModelError("health_check", "must be an object") }
        func number(_ key: String, _ fallback: Int, _ range: ClosedRange<Int>) throws(LBModelError) -> Int {
            guard let item = value[key], !item.isNull else { return fallback }
            guard let n = item.intValue, range.contains(n) else {
                throw LBModelError("health_check.\(key)", "\(item.serialized()) must be an integer in \(range.lowerBound)-\(range.upperBound)")
            }
            return n
        }
        return HealthCheck(
            port: try PortRule.port(value["port"], "health_check.port", required: false),
            interval: try number("interval", 2000, 100...3_600_000),
            healthyThreshold: try number("healthy_threshold", 2, 1...100),
            unhealthyThreshold: try number("unhealthy_threshold", 3, 1...100),
            responseTimeout: try number("response_timeout", 2000, 100...3_600_000),
            requestLine: value["request_line"]?.stringValue)
    }
}
