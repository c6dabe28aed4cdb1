import PaddockJSON
import PaddockNetlink
import PaddockNetworkCore

/// The driver's settings: the enable config, with a request's `config` (the CNI conflist plugin
/// entry) taking precedence key by key. Every value is checked; a wrong one is "invalid config".
public struct VXLANSettings: Sendable, Equatable {
    /// The environment network's name (IPAM and registry keys).
    public var network: String
    public var subnet: IPv4Network
    public var blockPrefix: Int
    public var bridge: String
    public var vtep: String
    public var vni: UInt32
    public var port: UInt16
    /// An explicit MTU for containers; default underlay − 50.
    public var mtu: UInt32?

    public static let defaultNetwork = "paddock-vxlan"

    public static func parse(enable: JSONValue, request: JSONValue? = nil) throws(NetworkError) -> VXLANSettings {
        guard enable.objectValue != nil || enable.isNull else {
            throw NetworkError(.invalidConfig, "the vxlan driver config must be a JSON object")
        }
        if let request, request.objectValue == nil, !request.isNull {
            throw NetworkError(.decode, "the request's config must be a JSON object, not \(request.typeName)")
        }
        func value(_ key: String) -> JSONValue? {
            if let found = request?[key], !found.isNull { return found }
            return enable[key]
        }
        func string(_ key: String) throws(NetworkError) -> String? {
            guard let found = value(key) else { return nil }
            guard let text = found.stringValue else {
                throw NetworkError(.invalidConfig, "\"\(key)\" must be a string, not \(found.typeName)")
            }
            return text
        }
        func integer(_ key: String, _ range: ClosedRange<Int>) throws(NetworkError) -> Int? {
            guard let found = value(key) else { return nil }
            guard let number = found.intValue, Double(number) == found.doubleValue, range.contains(number) else {
                throw NetworkError(.invalidConfig, "\"\(key)\" must be an integer in \(range.lowerBound)…\(range.upperBound), not \(found.serialized())")
            }
            return number
        }
        // CNI puts the network's name in "name"; the subnet may also sit under "ipam".
        let cniName = try string("name")
        let altName = try string("network")
        let network = cniName ?? altName ?? defaultNetwork
        let topSubnet = try string("subnet")
        guard let subnetText = topSubnet ?? request?["ipam"]?["subnet"]?.stringValue else {
            throw NetworkError(.invalidConfig, "no subnet: set \"subnet\" (the environment's IPv4 CIDR) in the enable config or the network config")
        }
        guard let subnet = IPv4Network(subnetText) else {
            throw NetworkError(.invalidConfig, "subnet \"\(subnetText)\" is not an IPv4 CIDR (e.g. 198.19.0.0/16) with no host bits set")
        }
        let blockPrefix = try integer("blockPrefix", 8...29) ?? max(24, subnet.prefix)
        let vtep = try string("vtep") ?? "vtep1042"
        let bridgeName = try string("bridge")
        let bridge = bridgeName ?? (network == defaultNetwork ? "paddock0" : Self.derivedBridgeName(network))
        for (key, name) in [("vtep", vtep), ("bridge", bridge)] where !NetlinkSocket.isValidName(name) {
            throw NetworkError(.invalidConfig, "\"\(key)\" \"\(name)\" is not a valid interface name (1–15 bytes, no '/', ':' or spaces)")
        }
        let vni = try integer("vni", 1...16_777_215) ?? 1042
        let port = try integer("port", 1...65535) ?? 4789
        let mtu = try integer("mtu", 576...65535)
        let settings = VXLANSettings(network: network, subnet: subnet, blockPrefix: blockPrefix, bridge: bridge, vtep: vtep,
                                     vni: UInt32(vni), port: UInt16(port), mtu: mtu.map(UInt32.init))
        _ = try settings.blocks() // blockPrefix must fit the subnet
        return settings
    }

    public func blocks() throws(NetworkError) -> AddressBlocks { try AddressBlocks(subnet: subnet, blockPrefix: blockPrefix) }

    /// `pv` + 8 hex digits of the network's name: distinct bridges for distinct networks.
    static func derivedBridgeName(_ network: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in network.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let hex = String(hash, radix: 16)
        return "pv" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// What the store keeps so `reconcile` knows every network this host serves.
    public var stored: JSONValue {
        var object: [String: JSONValue] = [
            "name": .string(network), "subnet": .string(subnet.description), "blockPrefix": .number(Double(blockPrefix)),
            "bridge": .string(bridge), "vtep": .string(vtep), "vni": .number(Double(vni)), "port": .number(Double(port)),
        ]
        if let mtu { object["mtu"] = .number(Double(mtu)) }
        return .object(object)
    }
}
