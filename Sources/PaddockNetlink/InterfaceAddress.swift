/// An IPv4 address on an interface (`ip addr`): the address with its prefix length.
public struct InterfaceAddress: Sendable, Hashable, CustomStringConvertible {
    public var index: Int32
    public var address: IPv4Address
    public var prefix: Int

    public init(index: Int32, address: IPv4Address, prefix: Int) {
        self.index = index
        self.address = address
        self.prefix = prefix
    }

    public var network: IPv4Network { IPv4Network(address, prefix: prefix)! }
    public var description: String { "\(address)/\(prefix)" }
}

/// A route in the main table (or another), as `ip route` shows it.
public struct Route: Sendable, Hashable, CustomStringConvertible {
    public enum Scope: UInt8, Sendable { case universe = 0, link = 253, host = 254 }

    public var destination: IPv4Network
    public var gateway: IPv4Address?
    public var outputIndex: Int32?
    public var onlink: Bool
    public var scope: Scope
    public var table: UInt32
    public var preferredSource: IPv4Address?
    public var metric: UInt32?

    public init(destination: IPv4Network, gateway: IPv4Address? = nil, outputIndex: Int32? = nil, onlink: Bool = false,
                scope: Scope? = nil, table: UInt32 = 254, preferredSource: IPv4Address? = nil, metric: UInt32? = nil) {
        self.destination = destination
        self.gateway = gateway
        self.outputIndex = outputIndex
        self.onlink = onlink
        self.scope = scope ?? (gateway == nil ? .link : .universe)
        self.table = table
        self.preferredSource = preferredSource
        self.metric = metric
    }

    public var description: String {
        var text = destination.prefix == 0 ? "default" : destination.description
        if let gateway { text += " via \(gateway)" }
        if let outputIndex { text += " dev #\(outputIndex)" }
        if onlink { text += " onlink" }
        return text
    }
}

/// A neighbour (ARP) entry: IP → MAC on an interface.
public struct Neighbour: Sendable, Hashable, CustomStringConvertible {
    public var index: Int32
    public var address: IPv4Address
    public var mac: MACAddress?
    public var isPermanent: Bool

    public init(index: Int32, address: IPv4Address, mac: MACAddress?, isPermanent: Bool = true) {
        self.index = index
        self.address = address
        self.mac = mac
        self.isPermanent = isPermanent
    }

    public var description: String { "\(address) lladdr \(mac?.description ?? "-") dev #\(index)\(isPermanent ? " PERMANENT" : "")" }
}

/// A bridge forwarding-database entry (`bridge fdb`): MAC → remote VTEP on a VXLAN device.
public struct FDBEntry: Sendable, Hashable, CustomStringConvertible {
    public var index: Int32
    public var mac: MACAddress
    public var destination: IPv4Address?

    public init(index: Int32, mac: MACAddress, destination: IPv4Address?) {
        self.index = index
        self.mac = mac
        self.destination = destination
    }

    public var description: String { "\(mac) dst \(destination?.description ?? "-") dev #\(index)" }
}
