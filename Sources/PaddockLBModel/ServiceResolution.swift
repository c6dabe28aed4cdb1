/// Turns `service` rules into targets with the metadata the host answers: containers whose
/// "service" is the rule's service ("web" or "stack/web"), on the rule's target port.
public enum ServiceResolution {
    public static func resolve(_ config: LBConfig, containers: [JSONValue]) throws(LBModelError) -> LBConfig {
        var resolved = config
        for index in resolved.portRules.indices {
            let rule = resolved.portRules[index]
            guard let service = rule.service else { continue }
            let members = containers.filter { container in
                guard let name = container["service"]?.stringValue else { return false }
                if name == service { return true }
                if let stack = container["stack"]?.stringValue, "\(stack)/\(name)" == service { return true }
                return false
            }
            guard !members.isEmpty || containers.contains(where: { $0["service"]?.stringValue == service }) else {
                let known = Set(containers.compactMap { $0["service"]?.stringValue }).sorted()
                throw LBModelError("port_rules[\(index)].service",
                    "unknown service \"\(service)\"\(known.isEmpty ? "" : "; known: \(known.joined(separator: ", "))")")
            }
            let port = rule.targetPort ?? rule.sourcePort
            resolved.portRules[index].targets = members.compactMap { container in
                guard let ip = container["ip"]?.stringValue ?? container["primary_ip"]?.stringValue, !ip.isEmpty else { return nil }
                return Target(address: ip, port: port)
            }
        }
        return resolved
    }
}
