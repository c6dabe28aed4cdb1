import PaddockJSON

/// The ADD result (SPEC section 5): checked and reduced to the members of the config's version,
/// so a 1.0.0 runtime never sees 1.1.0-only members (interface `mtu`, route `priority`, …).
public enum CNIResult {
    struct Problem: Error {
        var message: String
    }

    static let interfaceKeys: [CNIVersion: [String: FieldKind]] = [
        .v1_0_0: ["name": .string, "mac": .string, "sandbox": .string],
        .v1_1_0: ["name": .string, "mac": .string, "sandbox": .string, "mtu": .integer, "socketPath": .string, "pciID": .string],
    ]
    static let ipKeys: [String: FieldKind] = ["address": .string, "gateway": .string, "interface": .integer]
    static let routeKeys: [CNIVersion: [String: FieldKind]] = [
        .v1_0_0: ["dst": .string, "gw": .string],
        .v1_1_0: ["dst": .string, "gw": .string, "mtu": .integer, "advmss": .integer, "priority": .integer,
                  "table": .integer, "scope": .integer],
    ]
    static let dnsKeys: [String: FieldKind] = ["nameservers": .strings, "domain": .string, "search": .strings, "options": .strings]

    enum FieldKind {
        case string, integer, strings
    }

    /// The result in `version`'s shape, or a `CNIError` message saying what is wrong.
    public static func normalize(_ value: JSONValue, version: CNIVersion) throws(CNIError) -> JSONValue {
        do {
            return try reduce(value, version: version)
        } catch {
            throw CNIError(.decode, error.message)
        }
    }

    static func reduce(_ value: JSONValue, version: CNIVersion) throws(Problem) -> JSONValue {
        guard value.objectValue != nil else { throw Problem(message: "the result is a \(value.typeName), not an object") }
        var out: [String: JSONValue] = ["cniVersion": .string(version.description)]
        let interfaces = try list(value, "interfaces", interfaceKeys[version]!, required: ["name"])
        if !interfaces.isEmpty { out["interfaces"] = .array(interfaces) }
        let ips = try list(value, "ips", ipKeys, required: ["address"])
        for (position, ip) in ips.enumerated() {
            guard isCIDR(ip["address"]!.stringValue!) else {
                throw Problem(message: "ips[\(position)].address \"\(ip["address"]!.stringValue!)\" is not an address/prefix")
            }
            if let index = ip["interface"]?.intValue, !(0..<interfaces.count).contains(index) {
                throw Problem(message: "ips[\(position)].interface \(index) is not an index into interfaces (\(interfaces.count) entries)")
            }
        }
        if !ips.isEmpty { out["ips"] = .array(ips) }
        let routes = try list(value, "routes", routeKeys[version]!, required: ["dst"])
        if !routes.isEmpty { out["routes"] = .array(routes) }
        if let dns = value["dns"] {
            guard dns.objectValue != nil else { throw Problem(message: "dns is a \(dns.typeName), not an object") }
            let reduced = try fields(dns, dnsKeys, at: "dns")
            out["dns"] = .object(reduced)
        } else {
            out["dns"] = .object([:])
        }
        return .object(out)
    }

    /// A chained ADD's answer (SPEC: a plugin passes prevResult through, with its own additions):
    /// `previous` followed by what the driver added; the driver's `ips[].interface` indexes are
    /// moved past `previous`'s interfaces, and its `dns` replaces `previous`'s when it has any.
    /// Both arguments are results already in the same version's shape. Drivers return only what
    /// they add; the adapter merges.
    public static func merge(previous: JSONValue, adding current: JSONValue) -> JSONValue {
        var out = previous.objectValue ?? [:]
        let earlier = previous["interfaces"]?.arrayValue ?? []
        let interfaces = earlier + (current["interfaces"]?.arrayValue ?? [])
        if !interfaces.isEmpty { out["interfaces"] = .array(interfaces) }
        let added = (current["ips"]?.arrayValue ?? []).map { ip -> JSONValue in
            guard var fields = ip.objectValue, let index = ip["interface"]?.intValue else { return ip }
            fields["interface"] = .number(Double(index + earlier.count))
            return .object(fields)
        }
        let ips = (previous["ips"]?.arrayValue ?? []) + added
        if !ips.isEmpty { out["ips"] = .array(ips) }
        let routes = (previous["routes"]?.arrayValue ?? []) + (current["routes"]?.arrayValue ?? [])
        if !routes.isEmpty { out["routes"] = .array(routes) }
        if let dns = current["dns"], !(dns.objectValue ?? [:]).isEmpty { out["dns"] = dns }
        if let version = current["cniVersion"] { out["cniVersion"] = version }
        return .object(out)
    }

    static func list(_ value: JSONValue, _ key: String, _ allowed: [String: FieldKind], required: [String]) throws(Problem) -> [JSONValue] {
        guard let member = value[key], !member.isNull else { return [] }
        guard let items = member.arrayValue else { throw Problem(message: "\(key) is a \(member.typeName), not an array") }
        var out: [JSONValue] = []
        for (position, item) in items.enumerated() {
            guard item.objectValue != nil else { throw Problem(message: "\(key)[\(position)] is a \(item.typeName), not an object") }
            for name in required where item[name]?.stringValue == nil {
                throw Problem(message: "\(key)[\(position)] has no \"\(name)\"")
            }
            out.append(.object(try fields(item, allowed, at: "\(key)[\(position)]")))
        }
        return out
    }

    static func fields(_ item: JSONValue, _ allowed: [String: FieldKind], at path: String) throws(Problem) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for (name, kind) in allowed {
            guard let field = item[name], !field.isNull else { continue }
            let fits: Bool
            switch kind {
            case .string: fits = field.stringValue != nil
            case .integer: fits = field.intValue != nil
            case .strings: fits = field.arrayValue?.allSatisfy { $0.stringValue != nil } ?? false
            }
            guard fits else { throw Problem(message: "\(path).\(name) is a \(field.typeName) of the wrong kind") }
            out[name] = field
        }
        return out
    }

    /// `address/prefix` with an IPv4 (prefix ≤ 32) or IPv6 (prefix ≤ 128) address.
    static func isCIDR(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let prefix = Int(parts[1]), prefix >= 0, parts[1].count <= 3 else { return false }
        let address = parts[0]
        if address.contains(":") {
            return prefix <= 128 && address.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } && address.count >= 2
        }
        let octets = address.split(separator: ".", omittingEmptySubsequences: false)
        return prefix <= 32 && octets.count == 4 && octets.allSatisfy { !$0.isEmpty && $0.count <= 3 && UInt8($0) != nil }
    }
}
