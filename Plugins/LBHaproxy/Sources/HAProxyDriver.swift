import Glibc
import PaddockLBModel
import LBHaproxyCore
import PaddockPluginKit
import PluginABI

let definition = PluginDefinition(
    name: "haproxy", version: "0.1.0", kinds: [.lb], threadSafe: false, driver: HAProxyDriver.self)

@c(paddock_plugin_entry)
public func paddockPluginEntry(_ negotiation: UnsafeMutablePointer<paddock_negotiation>?) -> Int32 {
    definition.negotiate(negotiation)
}

/// Balancers on HAProxy 2.6. Each balancer is one master-worker HAProxy whose files live in
/// `<run_dir>/<name>/`; what was last applied is kept in the host's key-value store (`lb/<name>`).
final class HAProxyDriver: LoadBalancerDriver {
    let host: HostClient
    let binary: String
    let bindAddress: String
    let runDirectory: String
    let reloadTimeoutSeconds: Double

    init(host: HostClient, config: JSONValue) throws(DriverError) {
        self.host = host
        binary = config["haproxy"]?.stringValue ?? "/usr/sbin/haproxy"
        bindAddress = config["bind_address"]?.stringValue ?? "127.0.0.1"
        runDirectory = config["run_dir"]?.stringValue ?? host.stateDirectory
        reloadTimeoutSeconds = Double(config["reload_timeout_ms"]?.intValue ?? 10_000) / 1000
        guard System.exists(binary) else {
            throw .invalidConfig("haproxy binary \(binary) not found", details: "install Debian's haproxy or set \"haproxy\" in the enable config")
        }
    }

    func process(_ name: String) -> HAProxyProcess {
        HAProxyProcess(binary: binary, directory: "\(runDirectory)/\(name)", reloadTimeoutSeconds: reloadTimeoutSeconds)
    }

    func model(_ request: JSONValue) throws(DriverError) -> LBConfig {
        do {
            var config = try LBConfig.parse(request)
            if config.portRules.contains(where: { $0.service != nil }) {
                let containers = try host.metadata(["type": "containers"]).arrayValue ?? []
                config = try ServiceResolution.resolve(config, containers: containers)
            }
            return config
        } catch let error as LBModelError {
            throw .invalidConfig("balancer \(request["name"]?.stringValue ?? "?"): \(error)")
        } catch let error as DriverError {
            throw error
        } catch {
            throw .internalError("\(error)")
        }
    }

    func render(_ config: LBConfig, _ process: HAProxyProcess) throws(DriverError) -> HAProxyConfig {
        HAProxyConfig(config: config, bindAddress: bindAddress, paths: .init(
            adminSocket: process.adminSocket, serverState: process.serverStatePath, certDirectory: process.certDirectory))
    }

    func apply(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let started = System.now()
        let config = try model(request)
        let process = process(config.name)
        try System.makeDirectories(process.directory)
        try installCertificates(config, process)
        let rendered = try render(config, process)
        let text: String, skeleton: String, servers: [HAProxyConfig.Server]
        do {
            (text, skeleton) = try rendered.renderBoth()
            servers = try rendered.servers()
        } catch {
            throw .invalidConfig("balancer \(config.name): \(error)")
        }
        let renderedAt = System.now()
        let previous = try host.get("lb/\(config.name)").flatMap { try? JSONValue(parsing: $0) }
        let running = process.masterPID != nil
        var applied = "reload"
        var checkSeconds = 0.0
        var liveAt = System.now()
        // Checks the candidate before anything running is touched.
        func check() throws(DriverError) {
            let before = System.now()
            defer { checkSeconds += System.now() - before }
            if let rejection = try process.check(text) {
                throw DriverError(code: 7, "balancer \(config.name): HAProxy rejects the new config; the running one keeps serving",
                                  details: Self.explain(rejection, config: text))
            }
        }
        let textDigest = Self.digest(text), skeletonDigest = Self.digest(skeleton)
        if running, previous?["config"]?.stringValue == textDigest {
            applied = "unchanged"
        } else if running, previous?["skeleton"]?.stringValue == skeletonDigest, let old = previous?["servers"] {
            // Same skeleton as a config HAProxy already accepted: only servers differ, and the
            // runtime API validates each server it is given. No reload, no full check.
            do {
                try applyServerChanges(from: Self.decodeServers(old), to: servers, rendered: rendered, process: process)
                liveAt = System.now()
                try System.writeFile(process.configPath, text)  // a later reload keeps the change
                applied = "runtime"
            } catch {
                // The runtime API could not do it (e.g. a server kept connections): the config is
                // the truth, so a checked, hitless reload finishes the job.
                host.log(.warning, "balancer \(config.name): runtime change failed (\(error)); reloading instead")
                try check()
                try process.reload(text)
                liveAt = System.now()
            }
        } else {
            try check()
            if running {
                try process.reload(text)
            } else {
                _ = try process.start(text)
                applied = "start"
            }
            liveAt = System.now()
        }
        try host.put("lb/\(config.name)", Array(JSONValue.object([
            "config": .string(textDigest), "skeleton": .string(skeletonDigest),
            "servers": .array(servers.map { .string("\($0.backend)/\($0.name)/\($0.target.port)/\($0.target.address)") }),
        ]).serialized().utf8))
        host.log(.info, "balancer \(config.name): \(applied)")
        let milliseconds = { (seconds: Double) in JSONValue.number((seconds * 10_000).rounded() / 10) }
        return .object([
            "name": .string(config.name), "applied": .string(applied), "config": .string(process.configPath),
            "pid": .number(Double(process.masterPID ?? 0)), "worker_pid": .number(Double(process.workerPID() ?? 0)),
            // "live": until HAProxy serves the change; "total" adds the bookkeeping after it.
            "timings_ms": .object(["render": milliseconds(renderedAt - started), "check": milliseconds(checkSeconds),
                                   "live": milliseconds(liveAt - started), "total": milliseconds(System.now() - started)]),
        ])
    }

    /// Adds, removes or re-addresses servers through the runtime API, without a reload.
    func applyServerChanges(from old: [HAProxyConfig.Server], to new: [HAProxyConfig.Server], rendered: HAProxyConfig,
                            process: HAProxyProcess) throws(DriverError) {
        let backends: [String: HAProxyConfig.Backend]
        do {
            backends = Dictionary(try rendered.backends().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        } catch {
            throw .invalidConfig("\(error)")
        }
        let oldKeys = Set(old.map { "\($0.backend)/\($0.name)" }), newKeys = Set(new.map { "\($0.backend)/\($0.name)" })
        for server in old where !newKeys.contains("\(server.backend)/\(server.name)") {
            let id = "\(server.backend)/\(server.name)"
            _ = try process.runtime("set server \(id) state maint")
            // Deletion needs the server free of connections: in maintenance it gets no new
            // requests, and the ones in flight finish; only after a grace period are the
            // remaining sessions cut.
            let deadline = System.now() + 3
            var cut = false
            while true {
                do {
                    _ = try process.runtime("del server \(id)")
                    break
                } catch {
                    if System.now() >= deadline {
                        if cut { throw error }
                        _ = try? process.runtime("shutdown sessions server \(id)")
                        cut = true
                    }
                    System.sleep(milliseconds: 20)
                }
            }
        }
        for server in new where !oldKeys.contains("\(server.backend)/\(server.name)") {
            guard let backend = backends[server.backend] else { continue }
            let id = "\(server.backend)/\(server.name)"
            _ = try process.runtime("add server \(id) \(rendered.serverArguments(backend: backend, target: server.target))")
            if rendered.config.healthCheck != nil { _ = try process.runtime("enable health \(id)") }
            _ = try process.runtime("enable server \(id)")
        }
    }

    /// Servers as recorded: "backend/name/port/address" (names and backends have no "/").
    static func decodeServers(_ value: JSONValue) -> [HAProxyConfig.Server] {
        (value.arrayValue ?? []).compactMap { item in
            guard let parts = item.stringValue?.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false),
                  parts.count == 4, let port = Int(parts[2]) else { return nil }
            return HAProxyConfig.Server(backend: String(parts[0]), name: String(parts[1]),
                                        target: Target(address: String(parts[3]), port: port))
        }
    }

    /// FNV-1a 64 of a config, to tell "unchanged" and "same skeleton" without storing the text.
    static func digest(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return "fnv1a64:" + String(hash, radix: 16) + ":\(text.utf8.count)"
    }

    /// Copies the certificates (PEM files, key included) into the balancer's cert directory, which
    /// HAProxy serves with SNI; the default certificate goes first.
    func installCertificates(_ config: LBConfig, _ process: HAProxyProcess) throws(DriverError) {
        let all = (config.defaultCert.map { [$0] } ?? []) + config.certs
        guard !all.isEmpty else { return }
        System.removeTree(process.certDirectory)
        try System.makeDirectories(process.certDirectory)
        for (index, path) in all.enumerated() {
            guard let text = System.readFile(path) else {
                throw .invalidConfig("balancer \(config.name): certificate \(path) cannot be read")
            }
            guard text.contains("-----BEGIN CERTIFICATE-----") else {
                throw .invalidConfig("balancer \(config.name): certificate \(path) is not PEM (no BEGIN CERTIFICATE block)")
            }
            guard text.contains("PRIVATE KEY-----") else {
                throw .invalidConfig("balancer \(config.name): certificate \(path) has no private key; HAProxy wants the key in the same PEM file")
            }
            let base = path.split(separator: "/").last.map(String.init) ?? "cert.pem"
            try System.writeFile("\(process.certDirectory)/\(index == 0 ? "0-default" : String(format2(index)))-\(base)", text, mode: 0o600)
        }
    }

    /// HAProxy names the line of the config it rejects; quote that line so the rule is visible.
    static func explain(_ rejection: String, config: String) -> String {
        let lines = config.split(separator: "\n", omittingEmptySubsequences: false)
        var quoted: [String] = []
        for part in rejection.split(separator: "[") {
            guard let colon = part.firstIndex(of: ":") else { continue }
            let rest = part[part.index(after: colon)...]
            let digits = rest.prefix { $0.isNumber }
            if let number = Int(digits), number >= 1, number <= lines.count {
                quoted.append("line \(number): \(String(lines[number - 1]).trimmingCharacters(in: .whitespaces))")
            }
        }
        return rejection + (quoted.isEmpty ? "" : "\n" + quoted.joined(separator: "\n"))
    }

    func status(_ request: JSONValue) throws(DriverError) -> JSONValue {
        guard let name = request["name"]?.stringValue else { throw .invalidConfig("status needs \"name\"") }
        guard try host.get("lb/\(name)") != nil else { throw .notFound("no balancer named \(name)") }
        let process = process(name)
        guard process.masterPID != nil else {
            throw DriverError(code: 50, "balancer \(name) is not running", details: "apply it again to start it")
        }
        let csv = try UnixSocket.request(process.adminSocket, "show stat")
        var servers: [JSONValue] = []
        for stat in ServerStat.parse(csv) {
            let key = "health/\(name)/\(stat.backend)/\(stat.server)"
            let previous = try host.get(key).map { String(decoding: $0, as: UTF8.self) }
            let state = HealthTracker.report(status: stat.status, checkStatus: stat.checkStatus, previous: previous)
            if state != previous { try host.put(key, Array(state.utf8)) }
            var check = stat.checkStatus.isEmpty ? "none" : stat.checkStatus
            if !stat.checkCode.isEmpty { check += "/\(stat.checkCode)" }
            if !stat.checkDuration.isEmpty { check += " in \(stat.checkDuration)ms" }
            servers.append(.object([
                "backend": .string(stat.backend), "server": .string(stat.server), "address": .string(stat.address),
                "state": .string(state), "check": .string(check), "haproxy_status": .string(stat.status),
                "last_change_s": .number(Double(Int(stat.lastChange) ?? 0)),
            ]))
        }
        return .object(["name": .string(name), "health": "active", "servers": .array(servers),
                        "pid": .number(Double(process.masterPID ?? 0)), "worker_pid": .number(Double(process.workerPID() ?? 0))])
    }

    func remove(_ request: JSONValue) throws(DriverError) -> JSONValue {
        guard let name = request["name"]?.stringValue else { throw .invalidConfig("remove needs \"name\"") }
        let process = process(name)
        process.stop()
        System.removeTree(process.directory)
        try host.delete("lb/\(name)")
        for key in try host.keys(prefix: "health/\(name)/") { try host.delete(key) }
        return .object([:])
    }

    func capabilities(_ request: JSONValue) throws(DriverError) -> JSONValue {
        .object(["active_health": true, "runtime_servers": true, "stickiness": "cookie",
                 "protocols": ["http", "https", "tcp", "sni"], "hitless_reload": true])
    }
}

func format2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
