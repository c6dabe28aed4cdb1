import PaddockPluginKit
import PluginABI

let definition = PluginDefinition(
    name: "host-local", version: "0.1.0", kinds: [.network], threadSafe: true, driver: HostLocalDriver.self)

@c(paddock_plugin_entry)
public func paddockPluginEntry(_ negotiation: UnsafeMutablePointer<paddock_negotiation>?) -> Int32 {
    definition.negotiate(negotiation)
}

/// Leases addresses with compare-and-swap on `lease/<ip>` keys in the host's store.
final class HostLocalDriver: NetworkDriver {
    let host: HostClient
    let defaults: JSONValue

    init(host: HostClient, config: JSONValue) throws(DriverError) {
        self.host = host
        defaults = config
        if let subnet = config["subnet"]?.stringValue, IPv4Subnet(subnet) == nil {
            throw .invalidConfig("subnet \"\(subnet)\" is not an IPv4 CIDR with a /8–/30 prefix")
        }
    }

    struct Range {
        var subnet: IPv4Subnet
        var gateway: IPv4
        var first: IPv4
        var last: IPv4
    }

    /// The range from the request's `config.ipam` (CNI style) over the enable config.
    func range(_ request: JSONValue) throws(DriverError) -> Range {
        let ipam = request["config"]?["ipam"]
        func setting(_ key: String) -> String? { ipam?[key]?.stringValue ?? defaults[key]?.stringValue }
        guard let subnetText = setting("subnet") else {
            throw .invalidConfig("no subnet: set \"subnet\" in the enable config or in config.ipam")
        }
        guard let subnet = IPv4Subnet(subnetText) else {
            throw .invalidConfig("subnet \"\(subnetText)\" is not an IPv4 CIDR with a /8–/30 prefix")
        }
        func address(_ key: String, _ fallback: IPv4) throws(DriverError) -> IPv4 {
            guard let text = setting(key) else { return fallback }
            guard let value = IPv4(text), subnet.contains(value) else {
                throw .invalidConfig("\(key) \"\(text)\" is not an address inside \(subnetText)")
            }
            return value
        }
        let gateway = try address("gateway", subnet.firstHost)
        let first = try address("rangeStart", subnet.firstHost)
        let last = try address("rangeEnd", subnet.lastHost)
        guard first <= last else { throw .invalidConfig("rangeStart is after rangeEnd") }
        return Range(subnet: subnet, gateway: gateway, first: first, last: last)
    }

    func owner(_ request: JSONValue) throws(DriverError) -> String {
        guard let container = request["containerId"]?.stringValue, !container.isEmpty else {
            throw DriverError(code: PADDOCK_E_INVALID_ENV, "containerId is required")
        }
        let interface = request["ifName"]?.stringValue ?? "eth0"
        guard !container.contains("/"), !interface.contains("/"), container.utf8.count <= 255,
              !interface.isEmpty, interface.utf8.count <= 15 else {
            throw DriverError(code: PADDOCK_E_INVALID_ENV, "containerId or ifName is malformed")
        }
        return "\(container)/\(interface)"
    }

    func add(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let range = try range(request)
        let owner = try owner(request)
        if let existing = try lease(of: owner) { return result(existing, range, request) }
        var candidate = range.first
        while candidate <= range.last {
            if candidate != range.gateway,
               try host.compareAndSwap("lease/\(candidate)", expected: nil, value: Array(owner.utf8)) {
                try host.put("owner/\(owner)", Array(candidate.description.utf8))
                host.log(.debug, "leased \(candidate) to \(owner)")
                return result(candidate, range, request)
            }
            if candidate == range.last { break }
            candidate = IPv4(candidate.value + 1)
        }
        throw DriverError(code: PADDOCK_E_TRY_AGAIN, "no free address in \(range.first)–\(range.last)",
                          details: "release leases (network del / gc) or widen the range")
    }

    func del(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let owner = try owner(request)
        // DEL succeeds when the lease is already gone.
        if let address = try lease(of: owner) {
            try host.delete("lease/\(address)")
        }
        try host.delete("owner/\(owner)")
        return .object([:])
    }

    func check(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let owner = try owner(request)
        guard let address = try lease(of: owner),
              try host.get("lease/\(address)").map({ String(decoding: $0, as: UTF8.self) }) == owner else {
            throw DriverError(code: PADDOCK_E_UNKNOWN_CONTAINER, "no lease for \(owner)")
        }
        return .object([:])
    }

    func gc(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let valid = Set((request["config"]?["cni.dev/valid-attachments"]?.arrayValue ?? []).compactMap { item -> String? in
            guard let id = item["containerID"]?.stringValue, let ifName = item["ifname"]?.stringValue else { return nil }
            return "\(id)/\(ifName)"
        })
        var released: [JSONValue] = []
        for key in try host.keys(prefix: "owner/") {
            let owner = String(key.dropFirst("owner/".count))
            guard !valid.contains(owner) else { continue }
            if let address = try lease(of: owner) { try host.delete("lease/\(address)") }
            try host.delete(key)
            released.append(.string(owner))
        }
        return .object(["released": .array(released)])
    }

    func lease(of owner: String) throws(DriverError) -> IPv4? {
        try host.get("owner/\(owner)").flatMap { IPv4(String(decoding: $0, as: UTF8.self)) }
    }

    func result(_ address: IPv4, _ range: Range, _ request: JSONValue) -> JSONValue {
        .object([
            "cniVersion": .string(request["config"]?["cniVersion"]?.stringValue ?? "1.1.0"),
            "ips": [.object(["address": .string("\(address)/\(range.subnet.prefix)"), "gateway": .string(range.gateway.description)])],
            "routes": [],
            "dns": .object([:]),
        ])
    }
}
