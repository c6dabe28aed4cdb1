import PaddockLBModel

/// Everything one balancer's nginx.conf is made from. Targets of `service` rules are resolved.
struct RenderInput {
    var config: LBConfig
    var plan: BalancerPlan
    var certificates: [Certificate]
    var custom: CustomConfig
    var layout: BalancerLayout
    var bindAddress: String
    var streamModule: String
}

/// The model rendered as nginx 1.22 config. Pure: no file is read or written here.
///
/// Routing keeps rancher's rule order exactly: every source port gets one route `map` whose regex
/// entries are in RuleOrdering order (nginx tries map regexes in order of appearance, unlike
/// server_name and location, which prefer exact and longest matches whatever the priority), and
/// its server blocks proxy to the upstream the map names. https ports get one server block per
/// certificate, chosen by SNI through server_name (the default certificate's block is
/// default_server); all of them route through the same map.
enum NginxConfigRenderer {
    static let closedUpstream = "paddock-closed"
    static let stickyKey = "$paddock_sticky_key"

    static func render(_ input: RenderInput) throws(LBModelError) -> ConfigText {
        try checkSections(input)
        var text = ConfigText()
        let layout = input.layout
        let custom = input.custom
        text.line("# nginx config of paddock balancer \"\(input.config.name)\", written by the nginx driver on every apply.")
        text.line("# Edits are lost: change lb_config (its custom `config` merges per section) and apply again.")
        if !input.plan.streamPorts.isEmpty { text.line("load_module \(input.streamModule);", "the stream module (tcp/udp/sni rules)") }
        text.line("daemon on;")
        text.line("master_process on;")
        text.line("pid \(layout.pidFile);")
        text.line("error_log \(layout.errorLog) notice;")
        custom.merge([Directive("worker_processes auto;")], .main, into: &text)
        text.blank()
        text.open("events")
        custom.merge([Directive("worker_connections 4096;")], .events, into: &text)
        text.close()
        if !input.plan.httpPorts.isEmpty {
            text.blank()
            renderHTTP(input, into: &text)
        }
        if !input.plan.streamPorts.isEmpty {
            text.blank()
            renderStream(input, into: &text)
        }
        return text
    }

    // MARK: http {}

    static func renderHTTP(_ input: RenderInput, into text: inout ConfigText) {
        let layout = input.layout
        let health = input.plan.health
        text.open("http")
        for (directive, directory) in [("client_body_temp_path", "client_body"), ("proxy_temp_path", "proxy"),
                                       ("fastcgi_temp_path", "fastcgi"), ("uwsgi_temp_path", "uwsgi"), ("scgi_temp_path", "scgi")] {
            text.line("\(directive) \(layout.tempDirectory)/\(directory);")
        }
        var defaults = [
            Directive("access_log \(layout.accessLog);"),
            Directive("server_tokens off;"),
            // Why no client keep-alive: on reload nginx's old workers close idle keep-alive
            // connections, racing the client's next request on them (a failed request for clients
            // that do not retry). One request per connection makes reloads lose nothing.
            Directive("keepalive_timeout 0;"),
            Directive("client_header_timeout 50s;"),
            Directive("client_body_timeout 50s;"),
            Directive("send_timeout 50s;"),
            Directive("proxy_connect_timeout \(health.connectTimeoutMilliseconds)ms;", origin: input.config.healthCheck == nil ? nil : "health_check.response_timeout"),
            Directive("proxy_send_timeout 50s;"),
            Directive("proxy_read_timeout 50s;"),
            Directive("proxy_http_version 1.1;"),
            // Workers (user nobody when nginx runs as root) need no file under the prefix.
            Directive("proxy_request_buffering off;"),
            Directive("proxy_max_temp_file_size 0;"),
            Directive("proxy_set_header Host $host;"),
            Directive("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;"),
            Directive("proxy_set_header X-Forwarded-Proto $scheme;"),
            Directive("proxy_set_header X-Forwarded-Port $server_port;"),
            Directive("proxy_set_header Connection \"\";"),
        ]
        if input.plan.httpPorts.contains(where: { $0.proto == .https }) {
            defaults.append(Directive("ssl_protocols TLSv1.2 TLSv1.3;"))
            defaults.append(Directive("ssl_session_cache shared:paddock_tls:1m;"))
        }
        input.custom.merge(defaults, .http, into: &text)

        if let stickiness = input.config.stickiness { renderStickinessMaps(stickiness, into: &text) }
        for port in input.plan.httpPorts {
            text.blank()
            text.open("map \"$host $uri\" $paddock_route_\(port.port)", describe(port.rules[0].index, port.rules[0].rule))
            for (index, rule) in port.rules {
                let backend = input.plan.backend(RuleOrdering.backendName(for: rule), .http)!
                let value = backend.targets.isEmpty ? "\"\"" : backend.name
                text.line("\"~\(RoutePatterns.http(hostname: rule.hostname, path: rule.path))\" \(value);", describe(index, rule))
            }
            text.line("default \"\";")
            text.close()
        }
        let backends = input.plan.backends.filter { $0.context == .http && !$0.targets.isEmpty }
        let method = input.config.stickiness == nil ? "" : "hash \(stickyKey) consistent;"
        renderUpstreams(backends, input, zone: "paddock_http", method: method, keepalive: true, into: &text)
        for port in input.plan.httpPorts { renderHTTPServers(port, input, into: &text) }
        text.close()
    }

    /// rancher's inserted cookie, as open-source nginx can do it: a client without the cookie gets
    /// one holding a random id, and upstreams hash on it (`hash … consistent`), so the cookie keeps
    /// the client on one server while the server set is unchanged.
    static func renderStickinessMaps(_ stickiness: Stickiness, into text: inout ConfigText) {
        let cookie = "$cookie_\(stickiness.cookie)"
        var attributes = "Path=/; HttpOnly"
        if let domain = stickiness.domain { attributes += "; Domain=\(domain)" }
        text.blank()
        text.open("map \(cookie) \(stickyKey)", "stickiness_policy")
        text.line("\"\" $request_id;")
        text.line("default \(cookie);")
        text.close()
        text.open("map \(cookie) $paddock_sticky_cookie", "stickiness_policy")
        text.line("\"\" \"\(stickiness.cookie)=$request_id; \(attributes)\";")
        text.line("default \"\";")
        text.close()
        if stickiness.nocache {
            text.open("map \(cookie) $paddock_sticky_cache", "stickiness_policy.nocache")
            text.line("\"\" private;")
            text.line("default \"\";")
            text.close()
        }
    }

    static func renderHTTPServers(_ port: PortPlan, _ input: RenderInput, into text: inout ConfigText) {
        let first = describe(port.rules[0].index, port.rules[0].rule)
        let listen = "\(address(input.bindAddress)):\(port.port)"
        // (server_name, certificate) per block; plain http has one catch-all block.
        var blocks: [(names: [String], certificate: Certificate?)] = []
        if port.proto == .https {
            var claimed = Set<String>()
            for (position, certificate) in input.certificates.enumerated() {
                let names = certificate.names.filter { claimed.insert($0).inserted }
                if position > 0 && names.isEmpty { continue }
                blocks.append(((position == 0 ? ["_"] : []) + names, certificate))
            }
        } else {
            blocks = [(["_"], nil)]
        }
        for (position, block) in blocks.enumerated() {
            text.blank()
            text.open("server", first)
            let flags = (port.proto == .https ? " ssl" : "") + (position == 0 ? " default_server" : "")
            text.line("listen \(listen)\(flags);", first)
            text.line("server_name \(block.names.joined(separator: " "));", block.certificate?.origin)
            if let certificate = block.certificate {
                text.line("ssl_certificate \(input.layout.certificateFile(certificate.fingerprint));", certificate.origin)
                text.line("ssl_certificate_key \(input.layout.keyFile(certificate.fingerprint));", certificate.origin)
            }
            text.open("location /")
            text.line("if ($paddock_route_\(port.port) = \"\") {", "an empty or unmatched backend answers 503")
            text.line("return 503;", nil, extraIndent: 1)
            text.line("}")
            text.line("proxy_pass http://$paddock_route_\(port.port);")
            if input.config.stickiness != nil {
                text.line("add_header Set-Cookie $paddock_sticky_cookie;", "stickiness_policy")
                if input.config.stickiness!.nocache { text.line("add_header Cache-Control $paddock_sticky_cache;", "stickiness_policy.nocache") }
            }
            text.close()
            input.custom.merge([], .server(port.port), into: &text)
            text.close()
        }
    }

    // MARK: stream {}

    static func renderStream(_ input: RenderInput, into text: inout ConfigText) {
        text.open("stream")
        input.custom.merge([
            Directive("proxy_connect_timeout \(input.plan.health.connectTimeoutMilliseconds)ms;",
                      origin: input.config.healthCheck == nil ? nil : "health_check.response_timeout"),
            Directive("proxy_timeout 50s;"),
        ], .stream, into: &text)
        var needsClosed = false
        for port in input.plan.streamPorts where port.proto == .sni {
            text.blank()
            text.open("map $ssl_preread_server_name $paddock_sni_\(port.port)", describe(port.rules[0].index, port.rules[0].rule))
            for (index, rule) in port.rules {
                let backend = input.plan.backend(RuleOrdering.backendName(for: rule), .stream)!
                needsClosed = needsClosed || backend.targets.isEmpty
                let value = backend.targets.isEmpty ? closedUpstream : backend.name
                text.line("\"~*\(RoutePatterns.sni(hostname: rule.hostname))\" \(value);", describe(index, rule))
            }
            text.line("default \(closedUpstream);")
            needsClosed = true
            text.close()
        }
        let backends = input.plan.backends.filter { $0.context == .stream }
        needsClosed = needsClosed || backends.contains { $0.targets.isEmpty }
        renderUpstreams(backends.filter { !$0.targets.isEmpty }, input, zone: "paddock_stream", method: "",
                        keepalive: false, into: &text)
        if needsClosed {
            text.blank()
            text.open("upstream \(closedUpstream)", "empty backends and unmatched SNI names: the connection is closed")
            text.line("server 127.0.0.1:1 down;")
            text.close()
        }
        for port in input.plan.streamPorts {
            let first = describe(port.rules[0].index, port.rules[0].rule)
            text.blank()
            text.open("server", first)
            text.line("listen \(address(input.bindAddress)):\(port.port)\(port.proto == .udp ? " udp" : "");", first)
            if port.proto == .sni {
                text.line("ssl_preread on;", first)
                text.line("proxy_pass $paddock_sni_\(port.port);", first)
            } else {
                let backend = input.plan.backend(RuleOrdering.backendName(for: port.rules[0].rule), .stream)!
                text.line("proxy_pass \(backend.targets.isEmpty ? closedUpstream : backend.name);", first)
            }
            // One answer per datagram, as DNS has it; without a limit every udp "session" would
            // hold its worker for proxy_timeout after a reload or stop.
            let defaults = port.proto == .udp ? [Directive("proxy_responses 1;")] : []
            input.custom.merge(defaults, .server(port.port), into: &text)
            text.close()
        }
        text.close()
    }

    // MARK: upstreams

    static func renderUpstreams(_ backends: [Backend], _ input: RenderInput, zone: String, method: String,
                                keepalive: Bool, into text: inout ConfigText) {
        let health = input.plan.health
        let servers = backends.reduce(0) { $0 + $1.targets.count }
        // One shared zone keeps passive-health state common to all workers; sized for the servers.
        let zoneSize = (128 * 1024 + servers * 1024 + 1023) / 1024
        for (position, backend) in backends.enumerated() {
            let origin = "port_rules[\(backend.rule)] (backend \(backend.name))"
            text.blank()
            text.open("upstream \(backend.name)", origin)
            var defaults = [
                Directive(position == 0 ? "zone \(zone) \(zoneSize)k;" : "zone \(zone);"),
                Directive(method, replacedBy: ["hash", "ip_hash", "least_conn", "random"], origin: "stickiness_policy"),
            ]
            for target in backend.targets {
                defaults.append(Directive("server \(target) max_fails=\(health.maxFails) fail_timeout=\(health.failTimeoutSeconds)s;",
                                          replacedBy: [], origin: origin))
            }
            if keepalive { defaults.append(Directive("keepalive 32;")) }
            input.custom.merge(defaults, .upstream(backend.name), into: &text)
            text.close()
        }
    }

    // MARK: helpers

    static func checkSections(_ input: RenderInput) throws(LBModelError) {
        for section in input.custom.sections {
            let location = "lb_config.config section \"\(section)\""
            switch section {
            case .http where input.plan.httpPorts.isEmpty:
                throw LBModelError(location, "there is no http {} block: no rule has protocol http or https")
            case .stream where input.plan.streamPorts.isEmpty:
                throw LBModelError(location, "there is no stream {} block: no rule has protocol tcp, udp or sni")
            case .server(let port) where !input.plan.ports.contains { $0.port == port }:
                let known = input.plan.ports.map { String($0.port) }.joined(separator: ", ")
                throw LBModelError(location, "no rule has source_port \(port); the source ports are \(known)")
            case .upstream(let name) where !input.plan.backends.contains { $0.name == name && !$0.targets.isEmpty }:
                let known = input.plan.backends.filter { !$0.targets.isEmpty }.map(\.name).joined(separator: ", ")
                throw LBModelError(location, "no backend with targets is named \(name); the backends are \(known.isEmpty ? "(none)" : known)")
            default:
                break
            }
        }
    }

    static func describe(_ index: Int, _ rule: PortRule) -> String {
        var parts = ["source_port \(rule.sourcePort)"]
        if let hostname = rule.hostname { parts.append("hostname \"\(hostname)\"") }
        if let path = rule.path { parts.append("path \"\(path)\"") }
        return "port_rules[\(index)] (\(parts.joined(separator: ", ")))"
    }

    static func address(_ bind: String) -> String { bind.contains(":") ? "[\(bind)]" : bind }
}
