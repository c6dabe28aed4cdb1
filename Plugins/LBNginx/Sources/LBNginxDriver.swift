import Glibc
import PaddockLBModel
import PaddockPluginKit
import PluginABI

let definition = PluginDefinition(name: "nginx", version: "0.1.0", kinds: [.lb], threadSafe: false, driver: NginxDriver.self)

@c(paddock_plugin_entry)
public func paddockPluginEntry(_ negotiation: UnsafeMutablePointer<paddock_negotiation>?) -> Int32 {
    definition.negotiate(negotiation)
}

/// The lb contract on nginx open source: one nginx (master + workers) per balancer, each in its
/// own prefix under run_dir/<name>/.
final class NginxDriver: LoadBalancerDriver {
    let host: HostClient
    let settings: DriverSettings

    init(host: HostClient, config: JSONValue) throws(DriverError) {
        self.host = host
        settings = try DriverSettings(config, stateDirectory: host.stateDirectory)
    }

    func layout(_ name: String) -> BalancerLayout { BalancerLayout(name: name, runDirectory: settings.runDirectory) }

    func runner(_ name: String) -> NginxRunner { NginxRunner(binary: settings.nginx, layout: layout(name)) }

    /// The name of a status/remove request, checked like apply checks it (it becomes a directory).
    func balancerName(_ request: JSONValue) throws(DriverError) -> String {
        do {
            return try LBConfig.name(of: request)
        } catch {
            throw .invalidConfig("\(error)")
        }
    }

    func apply(_ request: JSONValue) throws(DriverError) -> JSONValue {
        try BalancerApply(driver: self, request: request).run()
    }

    func status(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let name = try balancerName(request)
        return try StatusReport.build(layout(name), master: runner(name).runningMaster())
    }

    func remove(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let name = try balancerName(request)
        let layout = layout(name)
        let lock = try locked(layout)
        defer { withExtendedLifetime(lock) {} }
        guard Files.exists(layout.root) else { return ["name": .string(name), "removed": false] }
        let runner = runner(name)
        var stopped: JSONValue = .null
        if let master = runner.runningMaster() {
            runner.stop(master)
            stopped = .number(Double(master))
        }
        Files.removeTree(layout.root)
        host.log(.info, "balancer \"\(name)\" removed")
        return ["name": .string(name), "removed": true, "stopped_pid": stopped]
    }

    func capabilities(_ request: JSONValue) throws(DriverError) -> JSONValue {
        [
            "active_health": false,
            "runtime_servers": false,
            "health": "passive",
            "stickiness": "cookie_hash",
            "stickiness_modes": ["insert"],
            "protocols": ["http", "https", "tcp", "sni", "udp"],
            "custom_config_sections": ["global", "events", "http", "stream", "server PORT", "upstream BACKEND"],
            "not_supported": [
                "active health checks (health_check.request_line is accepted, but servers are judged passively from traffic)",
                "runtime server changes: every change is a graceful reload",
                "per-server state from nginx: open source has no status API; status reads nginx's error log",
                "stickiness modes prefix and rewrite, and the indirect and postonly options",
            ],
        ]
    }

    /// The host tells us the environment changed: balancers with `service` rules get their targets
    /// resolved again (apply reloads only when the rendered config differs).
    func notify(_ event: JSONValue) throws(DriverError) -> JSONValue {
        guard event["type"]?.stringValue == "metadata.changed" else { return .object([:]) }
        var results: [JSONValue] = []
        for name in Files.listDirectory(settings.runDirectory) where !name.hasPrefix(".") {
            guard let text = Files.readText(layout(name).requestFile), let stored = try? JSONValue(parsing: text),
                  (stored["lb_config"]?["port_rules"]?.arrayValue ?? []).contains(where: { $0["service"] != nil }) else { continue }
            do {
                results.append(try apply(stored))
            } catch {
                host.log(.error, "balancer \"\(name)\": re-applying after a metadata change failed: \(error)")
                results.append(["name": .string(name), "error": .string(error.message)])
            }
        }
        return ["reconciled": .array(results)]
    }

    func locked(_ layout: BalancerLayout) throws(DriverError) -> Files.Lock {
        do {
            return try Files.Lock(layout.lockFile)
        } catch {
            throw .io("balancer \"\(layout.name)\": cannot lock \(layout.lockFile): \(error)")
        }
    }
}
