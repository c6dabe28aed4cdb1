/// A network interface as rtnetlink reports it.
public struct Link: Sendable, Equatable {
    public var index: Int32
    public var name: String
    public var mtu: UInt32
    public var isUp: Bool
    public var mac: MACAddress?
    /// The bridge (or bond) this link is enslaved to, if any.
    public var masterIndex: Int32?
    /// IFLA_INFO_KIND: "bridge", "veth", "vxlan"…; nil for physical and loopback devices.
    public var kind: String?

    init?(_ message: NetlinkMessage) {
        let payload = message.payload
        guard payload.count >= 16 else { return nil }
        let start = payload.startIndex
        index = payload.int32(at: start + 4)
        isUp = payload.uint32(at: start + 8) & NL.iffUp != 0
        let attributes = NetlinkAttributes(payload.dropFirst(16))
        name = attributes.string(NL.iflaIfname) ?? ""
        mtu = attributes.uint32(NL.iflaMTU) ?? 0
        mac = attributes[NL.iflaAddress].flatMap { MACAddress(bytes: Array($0)) }
        masterIndex = attributes.uint32(NL.iflaMaster).map { Int32(bitPattern: $0) }.flatMap { $0 == 0 ? nil : $0 }
        kind = attributes.nested(NL.iflaLinkinfo)?.string(NL.iflaInfoKind)
    }
}

/// What a VXLAN device is created with (`ip link add NAME type vxlan id VNI dstport PORT local IP
/// dev UNDERLAY nolearning`).
public struct VXLANSpec: Sendable {
    public var name: String
    public var vni: UInt32
    public var port: UInt16
    public var local: IPv4Address?
    /// The underlay device's index.
    public var underlayIndex: Int32?
    public var learning: Bool
    public var mac: MACAddress?
    public var mtu: UInt32?

    public init(name: String, vni: UInt32, port: UInt16 = 4789, local: IPv4Address? = nil, underlayIndex: Int32? = nil,
                learning: Bool = false, mac: MACAddress? = nil, mtu: UInt32? = nil) {
        self.name = name
        self.vni = vni
        self.port = port
        self.local = local
        self.underlayIndex = underlayIndex
        self.learning = learning
        self.mac = mac
        self.mtu = mtu
    }
}
