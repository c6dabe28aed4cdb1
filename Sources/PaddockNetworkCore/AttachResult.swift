import PaddockJSON
import PaddockNetlink

/// What an ADD made, and its CNI result document.
public struct AttachResult: Sendable {
    public var hostInterface: String
    public var hostMAC: MACAddress?
    public var containerInterface: String
    public var containerMAC: MACAddress?
    public var sandbox: String
    public var address: InterfaceAddress
    public var gateway: IPv4Address
    public var mtu: UInt32

    /// CNI result: interfaces (host end, container end with its sandbox), ips, routes, dns.
    public func cniResult(cniVersion: String) -> JSONValue {
        var host: [String: JSONValue] = ["name": .string(hostInterface), "mtu": .number(Double(mtu))]
        if let hostMAC { host["mac"] = .string(hostMAC.description) }
        var container: [String: JSONValue] = ["name": .string(containerInterface), "sandbox": .string(sandbox),
                                              "mtu": .number(Double(mtu))]
        if let containerMAC { container["mac"] = .string(containerMAC.description) }
        return .object([
            "cniVersion": .string(cniVersion),
            "interfaces": .array([.object(host), .object(container)]),
            "ips": .array([.object(["address": .string(address.description), "gateway": .string(gateway.description),
                                    "interface": 1])]),
            "routes": .array([.object(["dst": "0.0.0.0/0", "gw": .string(gateway.description)])]),
            "dns": .object([:]),
        ])
    }
}
