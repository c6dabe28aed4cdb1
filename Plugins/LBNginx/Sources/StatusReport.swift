import Glibc
import PaddockPluginKit
import PluginABI

/// `status`: the servers the last apply configured, judged the only way nginx open source can:
/// passively. A server is DOWN while nginx itself has it "temporarily disabled" (max_fails
/// failures of live traffic, for fail_timeout), read from the balancer's error log; UP otherwise.
/// No active check result is ever reported, because none is made.
enum StatusReport {
    /// What apply records for status (the status file).
    static func record(name: String, plan: BalancerPlan, serverNames: [String: String], warnings: [String]) -> JSONValue {
        var servers: [JSONValue] = []
        var backends: [JSONValue] = []
        for backend in plan.backends {
            backends.append(["name": .string(backend.name), "protocol": .string(backend.context.rawValue),
                             "rule": .string("port_rules[\(backend.rule)]"), "servers": .number(Double(backend.targets.count))])
            for target in backend.targets {
                servers.append(["backend": .string(backend.name), "server": .string(serverNames[target.description] ?? target.description),
                                "address": .string(target.description)])
            }
        }
        return [
            "name": .string(name),
            "health": ["max_fails": .number(Double(plan.health.maxFails)),
                       "fail_timeout": .number(Double(plan.health.failTimeoutSeconds)), "check": .string(plan.health.check)],
            "servers": .array(servers), "backends": .array(backends),
            "warnings": .array(warnings.map { .string($0) }),
        ]
    }

    static func build(_ layout: BalancerLayout, master: pid_t?) throws(DriverError) -> JSONValue {
        guard let text = Files.readText(layout.statusFile), let recorded = try? JSONValue(parsing: text) else {
            throw DriverError(code: PADDOCK_E_NOT_FOUND, "no balancer named \"\(layout.name)\"",
                              details: "nothing is applied under \(layout.root); apply it first (lb.apply)")
        }
        let check = recorded["health"]?["check"]?.stringValue ?? "passive"
        let failTimeout = recorded["health"]?["fail_timeout"]?.intValue ?? 10
        let observations = master == nil ? [:] : PassiveObservations.read(Files.tail(layout.errorLog, limit: 1 << 20))
        let now = Int(time(nil))
        let servers: [JSONValue] = (recorded["servers"]?.arrayValue ?? []).map { server in
            guard case .object(var fields) = server else { return server }
            let address = server["address"]?.stringValue ?? ""
            let seen = observations[address]
            if master == nil {
                fields["state"] = "DOWN"
                fields["check"] = .string("nginx is not running: apply again to start it")
            } else if let disabled = seen?.disabledAt, now - disabled < failTimeout {
                fields["state"] = "DOWN"
                fields["check"] = .string("\(check): nginx took it out of rotation until fail_timeout passes")
            } else {
                fields["state"] = "UP"
                fields["check"] = .string(check)
            }
            if let failure = seen?.lastFailure { fields["last_failure"] = .string(failure) }
            return .object(fields)
        }
        return [
            "name": .string(layout.name),
            "health": "passive",
            "running": .bool(master != nil),
            "pid": master.map { .number(Double($0)) } ?? .null,
            "servers": .array(servers),
            "backends": recorded["backends"] ?? .array([]),
            "warnings": recorded["warnings"] ?? .array([]),
        ]
    }
}
