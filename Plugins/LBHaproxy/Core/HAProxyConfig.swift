import PaddockLBModel

/// Renders an LBConfig to an HAProxy 2.6 configuration, as rancher's lb-controller does: one
/// frontend per source port (named by the port, so custom config can address it), one backend per
/// rule (`<port>_<host>_<path>`), host/path/SNI ACLs in rancher's rule order, active health checks,
/// cookie stickiness, certificates from a directory with SNI.
public struct HAProxyConfig {
    public struct Paths {
        public var adminSocket: String
        public var serverState: String
        public var certDirectory: String

        public init(adminSocket: String, serverState: String, certDirectory: String) {
            self.adminSocket = adminSocket
            self.serverState = serverState
            self.certDirectory = certDirectory
        }
    }

    public struct Server: Equatable {
        public var backend: String
        public var name: String
        public var target: Target

        public init(backend: String, name: String, target: Target) {
            self.backend = backend
            self.name = name
            self.target = target
        }
    }

    public let config: LBConfig
    public let bindAddress: String
    public let paths: Paths

    public init(config: LBConfig, bindAddress: String, paths: Paths) {
        self.config = config
        self.bindAddress = bindAddress
        self.paths = paths
    }

    /// A backend and its rule, in frontend order.
    public struct Backend {
        public var name: String
        public var rule: PortRule
    }

    public func backends() throws(LBModelError) -> [Backend] {
        var result: [Backend] = []
        var seen: [String: [Target]] = [:]
        for rule in RuleOrdering.sorted(config.portRules) {
            if rule.proto == .udp {
                throw LBModelError("port \(rule.sourcePort)", "udp is not supported by HAProxy (open source); use the nginx driver")
            }
            let name = RuleOrdering.backendName(for: rule)
            if let targets = seen[name] {
                guard targets == rule.targets else {
                    throw LBModelError("backend \(name)", "two rules share this backend name with different targets")
                }
                continue
            }
            seen[name] = rule.targets
            result.append(Backend(name: name, rule: rule))
        }
        return result
    }

    /// The servers of every backend; names are stable per address so changes can go through the
    /// runtime API.
    public func servers() throws(LBModelError) -> [Server] {
        try backends().flatMap { backend in
            backend.rule.targets.map { Server(backend: backend.name, name: Self.serverName($0), target: $0) }
        }
    }

    public static func serverName(_ target: Target) -> String {
        RuleOrdering.sanitize("s_\(target.address)_\(target.port)")
    }

    public func render() throws(LBModelError) -> String {
        try renderBoth().text
    }

    /// Everything except server lines: two configs with the same skeleton differ only in servers.
    public func skeleton() throws(LBModelError) -> String {
        try renderBoth().skeleton
    }

    /// The config and its skeleton from one pass.
    public func renderBoth() throws(LBModelError) -> (text: String, skeleton: String) {
        let lines = try renderLines()
        let text = lines.map(\.text).joined(separator: "\n") + "\n"
        let skeleton = lines.filter { !$0.isServer }.map(\.text).joined(separator: "\n") + "\n"
        return (text, skeleton)
    }

    private func renderLines() throws(LBModelError) -> [(text: String, isServer: Bool)] {
        var serverLines: [(index: Int, line: String)] = []
        let custom = try CustomConfig.parse(config.customConfig)
        var out: [String] = []
        out.append("# Written by Paddock's haproxy driver for balancer \(config.name); changes are overwritten.")
        out.append("global")
        out.append("    maxconn 4096")
        out.append("    stats socket \(paths.adminSocket) mode 600 level admin expose-fd listeners")
        out.append("    server-state-file \(paths.serverState)")
        out.append("    ssl-default-bind-options no-sslv3 no-tlsv10")
        out += custom.lines(for: "global")
        out.append("")
        out.append("defaults")
        out.append("    mode http")
        out.append("    timeout connect 5000")
        out.append("    timeout client 50000")
        out.append("    timeout server 50000")
        out.append("    retries 3")
        out.append("    option redispatch")
        out.append("    option idle-close-on-response")
        // Server-side connections close after each response (clients keep theirs), so a server
        // taken out through the runtime API holds no connection and can be deleted at once.
        out.append("    option http-server-close")
        out.append("    load-server-state-from-file global")
        out += custom.lines(for: "defaults")
        let backends = try backends()
        let ports = Array(Set(config.portRules.map(\.sourcePort))).sorted()
        for port in ports {
            let rules = backends.filter { $0.rule.sourcePort == port }
            guard let proto = rules.first?.rule.proto else { continue }
            out.append("")
            out.append("frontend \(port)")
            var bind = "    bind \(bindAddress):\(port)"
            if proto == .https { bind += " ssl crt \(paths.certDirectory)" }
            out.append(bind)
            out.append(proto.isHTTP ? "    mode http" : "    mode tcp")
            if proto.isHTTP {
                out.append("    http-request set-header X-Forwarded-Proto \(proto == .https ? "https" : "http")")
                out.append("    http-request set-header X-Forwarded-Port %[dst_port]")
            }
            if proto == .sni {
                out.append("    tcp-request inspect-delay 5s")
                out.append("    tcp-request content accept if { req_ssl_hello_type 1 }")
            }
            var fallback: String?
            for (index, backend) in rules.enumerated() {
                var conditions: [String] = []
                if let host = backend.rule.hostname {
                    let fetch = proto == .sni ? "req_ssl_sni" : "hdr(host),field(1,:)"
                    out.append("    acl host_\(index) \(fetch) \(Self.hostMatch(host))")
                    conditions.append("host_\(index)")
                }
                if let path = backend.rule.path {
                    out.append("    acl path_\(index) path_beg \(path)")
                    conditions.append("path_\(index)")
                }
                if conditions.isEmpty {
                    if fallback == nil { fallback = backend.name }
                } else {
                    out.append("    use_backend \(backend.name) if \(conditions.joined(separator: " "))")
                }
            }
            if let fallback { out.append("    default_backend \(fallback)") }
            out += custom.lines(for: "frontend \(port)")
        }
        for backend in backends {
            out.append("")
            out.append("backend \(backend.name)")
            out.append(backend.rule.proto.isHTTP ? "    mode http" : "    mode tcp")
            out.append("    balance roundrobin")
            if let sticky = config.stickiness, backend.rule.proto.isHTTP {
                var line = "    cookie \(sticky.cookie) \(sticky.mode)"
                if sticky.indirect { line += " indirect" }
                if sticky.nocache { line += " nocache" }
                if sticky.postonly { line += " postonly" }
                if let domain = sticky.domain { line += " domain \(domain)" }
                out.append(line)
            }
            if let health = config.healthCheck {
                if let request = health.requestLine, backend.rule.proto.isHTTP {
                    out.append("    option httpchk \(request)")
                }
                out.append("    timeout check \(health.responseTimeout)")
            }
            for target in backend.rule.targets {
                serverLines.append((out.count, "    " + serverLine(backend: backend, target: target)))
                out.append("")
            }
            out += custom.lines(for: "backend \(backend.name)")
        }
        for (header, lines) in custom.extraSections(known: Set(["global", "defaults"] + ports.map { "frontend \($0)" } + backends.map { "backend \($0.name)" })) {
            out.append("")
            out.append(header)
            out += lines
        }
        var result = out.map { (text: $0, isServer: false) }
        for (index, line) in serverLines { result[index] = (line, true) }
        return result
    }

    /// `server NAME ADDR check …` — also the argument of the runtime API's `add server`, which in
    /// 2.6 inherits no default-server settings, so everything is spelled out here.
    public func serverLine(backend: Backend, target: Target) -> String {
        "server \(Self.serverName(target)) \(serverArguments(backend: backend, target: target))"
    }

    public func serverArguments(backend: Backend, target: Target) -> String {
        var line = "\(target)"
        if let health = config.healthCheck {
            line += " check inter \(health.interval) rise \(health.healthyThreshold) fall \(health.unhealthyThreshold)"
            if let port = health.port { line += " port \(port)" }
        }
        if config.stickiness != nil, backend.rule.proto.isHTTP { line += " cookie \(Self.serverName(target))" }
        return line
    }

    public static func hostMatch(_ host: String) -> String {
        if host.hasPrefix("*.") { return "-i -m end \(host.dropFirst(1))" }
        if host.hasSuffix(".*") { return "-i -m beg \(host.dropLast(1))" }
        return "-i \(host)"
    }
}

/// rancher's custom `config`: HAProxy text whose section headers (`global`, `defaults`,
/// `frontend <port>`, `backend <name>`, …) say where its lines are merged.
struct CustomConfig {
    var sections: [(header: String, lines: [String])] = []

    static func parse(_ text: String) throws(LBModelError) -> CustomConfig {
        var result = CustomConfig()
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if line.first != " " && line.first != "\t" {
                let header = line.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                result.sections.append((header, []))
                continue
            }
            guard !result.sections.isEmpty else {
                throw LBModelError("lb_config.config", "line \"\(line.trimmingCharacters(in: .whitespaces))\" comes before any section header (global, defaults, frontend <port>, backend <name>)")
            }
            result.sections[result.sections.count - 1].lines.append("    " + line.trimmingCharacters(in: .whitespaces))
        }
        return result
    }

    func lines(for header: String) -> [String] {
        sections.filter { $0.header == header }.flatMap(\.lines)
    }

    func extraSections(known: Set<String>) -> [(String, [String])] {
        sections.filter { !known.contains($0.header) }.map { ($0.header, $0.lines) }
    }
}

extension String {
    public func trimmingCharacters(in set: CharacterSetLite) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}

/// The two trimming sets the driver needs, without Foundation.
public enum CharacterSetLite {
    case whitespaces, whitespacesAndNewlines
    public func contains(_ character: Character) -> Bool {
        switch self {
        case .whitespaces: character == " " || character == "\t"
        case .whitespacesAndNewlines: character.isWhitespace
        }
    }
}
