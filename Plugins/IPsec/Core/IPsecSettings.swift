import PaddockJSON

/// The enable config, validated. Every key is optional; see Plugins/IPsec/README.md.
public struct IPsecSettings: Equatable, Sendable {
    /// The environment's container network; each host gets a block of it (see HostSubnetPlan).
    public var subnet: IPv4Subnet
    /// The prefix of each host's block.
    public var hostPrefix: Int
    /// The shared pre-shared key; nil means "take it from the environment or generate one".
    public var psk: String?
    public var bridge: String
    public var mtu: Int
    public var dataPath: String
    /// The network namespace (by name, under /run/netns) that is this host; nil = the caller's.
    public var netns: String?
    public var charonPath: String
    public var swanctlPath: String

    public static let minimumPSKLength = 16
    public static let defaultSubnet = "198.19.0.0/16"

    public init(_ config: JSONValue) throws(IPsecConfigError) {
        let known: Set<String> = ["subnet", "host_prefix", "psk", "bridge", "mtu", "data_path", "netns", "charon", "swanctl"]
        if let object = config.objectValue {
            if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
                throw IPsecConfigError("unknown key \"\(unknown)\" in the ipsec config", fix: "use only \(known.sorted().joined(separator: ", "))")
            }
        } else if !config.isNull {
            throw IPsecConfigError("the ipsec config is \(config.typeName), not an object", fix: "pass a JSON object")
        }
        func text(_ key: String) throws(IPsecConfigError) -> String? {
            guard let value = config[key], !value.isNull else { return nil }
            guard let string = value.stringValue else {
                throw IPsecConfigError("\"\(key)\" is \(value.typeName), not a string", fix: "quote it")
            }
            return string
        }
        func integer(_ key: String, _ range: ClosedRange<Int>, _ fallback: Int) throws(IPsecConfigError) -> Int {
            guard let value = config[key], !value.isNull else { return fallback }
            guard let number = value.intValue, range.contains(number) else {
                throw IPsecConfigError("\"\(key)\" is \(value.serialized()), not an integer in \(range.lowerBound)…\(range.upperBound)", fix: "fix \"\(key)\"")
            }
            return number
        }
        let subnetText = try text("subnet") ?? Self.defaultSubnet
        guard let subnet = IPv4Subnet(subnetText) else {
            throw IPsecConfigError("subnet \"\(subnetText)\" is not an IPv4 CIDR", fix: "use a form like 198.19.0.0/16")
        }
        self.subnet = subnet
        hostPrefix = try integer("host_prefix", 8...29, 24)
        guard hostPrefix >= subnet.prefix else {
            throw IPsecConfigError("host_prefix /\(hostPrefix) is wider than the subnet \(subnet)", fix: "use a host_prefix of at least \(subnet.prefix)")
        }
        if let key = try text("psk") {
            try Self.validatePSK(key)
            psk = key
        }
        bridge = try text("bridge") ?? "paddock-ipsec"
        try Self.validateInterfaceName(bridge, key: "bridge")
        mtu = try integer("mtu", 576...9000, 1400)
        dataPath = try text("data_path") ?? "auto"
        guard ["auto", "kernel", "userspace"].contains(dataPath) else {
            throw IPsecConfigError("data_path \"\(dataPath)\" is not one of auto, kernel, userspace", fix: "use auto")
        }
        netns = try text("netns")
        if let name = netns {
            guard !name.isEmpty, name.utf8.count <= 64, !name.contains("/"), name != ".", name != "..",
                  name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
                throw IPsecConfigError("netns \"\(name)\" is not a namespace name under /run/netns", fix: "give the name `ip netns list` shows")
            }
        }
        charonPath = try text("charon") ?? "/usr/lib/ipsec/charon"
        swanctlPath = try text("swanctl") ?? "/usr/sbin/swanctl"
    }

    /// A PSK travels to charon hex-encoded, so any byte is fine; it must just be long enough.
    public static func validatePSK(_ key: String) throws(IPsecConfigError) {
        guard key.utf8.count >= minimumPSKLength else {
            throw IPsecConfigError("the psk has \(key.utf8.count) bytes, fewer than \(minimumPSKLength)",
                                   fix: "use a random key of at least \(minimumPSKLength) bytes (e.g. `openssl rand -base64 32`), or omit psk to have one generated")
        }
        guard key.utf8.count <= 1024, !key.utf8.contains(0) else {
            throw IPsecConfigError("the psk is longer than 1024 bytes or contains NUL", fix: "use a shorter printable key")
        }
    }

    public static func validateInterfaceName(_ name: String, key: String) throws(IPsecConfigError) {
        guard !name.isEmpty, name.utf8.count <= 15, name != ".", name != "..",
              !name.contains(where: { $0 == "/" || $0 == ":" || $0.isWhitespace || !$0.isASCII }) else {
            throw IPsecConfigError("\(key) \"\(name)\" is not a valid interface name", fix: "use 1–15 ASCII characters without /, : or spaces")
        }
    }
}
