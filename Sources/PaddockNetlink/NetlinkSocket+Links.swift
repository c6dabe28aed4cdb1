import Glibc

extension NetlinkSocket {
    /// Every link in the socket's namespace.
    public func links() throws(NetlinkError) -> [Link] {
        var message = NetlinkMessageBuilder(type: NL.getLink, flags: 0)
        message.linkHeader()
        return try dump(message, "RTM_GETLINK dump").compactMap { $0.type == NL.newLink ? Link($0) : nil }
    }

    /// The link called `name`, or nil when there is none.
    public func link(named name: String) throws(NetlinkError) -> Link? {
        try Self.checkName(name)
        var message = NetlinkMessageBuilder(type: NL.getLink, flags: 0)
        message.linkHeader()
        message.attribute(NL.iflaIfname, string: name)
        return try single(message, "RTM_GETLINK \(name)")
    }

    /// The link with `index`, or nil when there is none.
    public func link(index: Int32) throws(NetlinkError) -> Link? {
        var message = NetlinkMessageBuilder(type: NL.getLink, flags: 0)
        message.linkHeader(index: index)
        return try single(message, "RTM_GETLINK index \(index)")
    }

    private func single(_ message: NetlinkMessageBuilder, _ operation: String) throws(NetlinkError) -> Link? {
        // A GETLINK without NLM_F_DUMP answers one RTM_NEWLINK, then the ack.
        do {
            return try dumpSingle(message, operation).flatMap(Link.init)
        } catch where error.errno == ENODEV {
            return nil
        }
    }

    /// `ip link add NAME type bridge`.
    public func createBridge(name: String, mtu: UInt32? = nil) throws(NetlinkError) {
        try Self.checkName(name)
        var message = NetlinkMessageBuilder(type: NL.newLink, flags: NL.create | NL.exclusive)
        message.linkHeader()
        message.attribute(NL.iflaIfname, string: name)
        if let mtu { message.attribute(NL.iflaMTU, uint32: mtu) }
        let info = message.beginNested(NL.iflaLinkinfo)
        message.attribute(NL.iflaInfoKind, string: "bridge")
        message.endNested(info)
        try execute(message, "RTM_NEWLINK bridge \(name)")
    }

    /// `ip link add NAME type veth peer name PEER netns NS`: the peer is created directly in the
    /// namespace of `peerNamespace` (nil: this one), so it never appears here.
    public func createVeth(name: String, peerName: String, peerNamespace: NetworkNamespace? = nil,
                           mtu: UInt32? = nil) throws(NetlinkError) {
        try Self.checkName(name)
        try Self.checkName(peerName)
        var message = NetlinkMessageBuilder(type: NL.newLink, flags: NL.create | NL.exclusive)
        message.linkHeader()
        message.attribute(NL.iflaIfname, string: name)
        if let mtu { message.attribute(NL.iflaMTU, uint32: mtu) }
        let info = message.beginNested(NL.iflaLinkinfo)
        message.attribute(NL.iflaInfoKind, string: "veth")
        let data = message.beginNested(NL.iflaInfoData)
        let peer = message.beginNestedRaw(NL.vethInfoPeer)
        message.linkHeader()
        message.attribute(NL.iflaIfname, string: peerName)
        if let mtu { message.attribute(NL.iflaMTU, uint32: mtu) }
        if let peerNamespace { message.attribute(NL.iflaNetNsFd, int32: peerNamespace.descriptor) }
        message.endNested(peer)
        message.endNested(data)
        message.endNested(info)
        try execute(message, "RTM_NEWLINK veth \(name) peer \(peerName)\(peerNamespace.map { " in \($0.path)" } ?? "")")
    }

    /// `ip link add NAME type vxlan id VNI dstport PORT [local IP] [dev UNDERLAY] [nolearning]`.
    public func createVXLAN(_ spec: VXLANSpec) throws(NetlinkError) {
        try Self.checkName(spec.name)
        var message = NetlinkMessageBuilder(type: NL.newLink, flags: NL.create | NL.exclusive)
        message.linkHeader()
        message.attribute(NL.iflaIfname, string: spec.name)
        if let mtu = spec.mtu { message.attribute(NL.iflaMTU, uint32: mtu) }
        if let mac = spec.mac { message.attribute(NL.iflaAddress, mac.bytes) }
        let info = message.beginNested(NL.iflaLinkinfo)
        message.attribute(NL.iflaInfoKind, string: "vxlan")
        let data = message.beginNested(NL.iflaInfoData)
        message.attribute(NL.vxlanID, uint32: spec.vni)
        if let local = spec.local { message.attribute(NL.vxlanLocal, local.bytes) }
        if let underlay = spec.underlayIndex { message.attribute(NL.vxlanLink, int32: underlay) }
        message.attribute(NL.vxlanPort, [UInt8(spec.port >> 8), UInt8(spec.port & 0xff)]) // network order
        message.attribute(NL.vxlanLearning, uint8: spec.learning ? 1 : 0)
        message.endNested(data)
        message.endNested(info)
        try execute(message, "RTM_NEWLINK vxlan \(spec.name) id \(spec.vni)")
    }

    /// `ip link del`; deleting one end of a veth removes both.
    public func deleteLink(index: Int32) throws(NetlinkError) {
        var message = NetlinkMessageBuilder(type: NL.delLink, flags: 0)
        message.linkHeader(index: index)
        try execute(message, "RTM_DELLINK index \(index)")
    }

    /// Deletes the link called `name`; false when there was none.
    @discardableResult
    public func deleteLink(named name: String) throws(NetlinkError) -> Bool {
        try Self.checkName(name)
        var message = NetlinkMessageBuilder(type: NL.delLink, flags: 0)
        message.linkHeader()
        message.attribute(NL.iflaIfname, string: name)
        do {
            try execute(message, "RTM_DELLINK \(name)")
            return true
        } catch where error.errno == ENODEV {
            return false
        }
    }

    public func setUp(index: Int32, _ up: Bool = true) throws(NetlinkError) {
        var message = NetlinkMessageBuilder(type: NL.newLink, flags: 0)
        message.linkHeader(index: index, flags: up ? NL.iffUp : 0, change: NL.iffUp)
        try execute(message, "RTM_NEWLINK index \(index) \(up ? "up" : "down")")
    }

    public func setMTU(index: Int32, _ mtu: UInt32) throws(NetlinkError) {
        try setAttribute(index: index, "mtu \(mtu)") { $0.attribute(NL.iflaMTU, uint32: mtu) }
    }

    /// `bridge link set dev … hairpin on|off`: lets the bridge send a frame back out of the port it
    /// came in on (a container reaching its own host port). Through netlink, so it works for the
    /// namespace this socket is in — sysfs shows the namespace that mounted it.
    public func setHairpin(index: Int32, _ on: Bool = true) throws(NetlinkError) {
        var message = NetlinkMessageBuilder(type: NL.setLink, flags: 0)
        message.linkHeader(index: index, family: NL.afBridge)
        let info = message.beginNested(NL.iflaProtinfo)
        message.attribute(NL.brportMode, uint8: on ? 1 : 0)
        message.endNested(info)
        try execute(message, "RTM_SETLINK bridge port index \(index) hairpin \(on ? "on" : "off")")
    }

    /// Enslaves the link to a bridge; nil releases it (`nomaster`).
    public func setMaster(index: Int32, master: Int32?) throws(NetlinkError) {
        try setAttribute(index: index, "master \(master ?? 0)") { $0.attribute(NL.iflaMaster, int32: master ?? 0) }
    }

    public func setMAC(index: Int32, _ mac: MACAddress) throws(NetlinkError) {
        try setAttribute(index: index, "address \(mac)") { $0.attribute(NL.iflaAddress, mac.bytes) }
    }

    /// Moves the link into another namespace (`ip link set … netns`).
    public func setNamespace(index: Int32, _ namespace: NetworkNamespace) throws(NetlinkError) {
        try setAttribute(index: index, "netns \(namespace.path)") { $0.attribute(NL.iflaNetNsFd, int32: namespace.descriptor) }
    }

    /// Renames a link (it must be down).
    public func rename(index: Int32, to name: String) throws(NetlinkError) {
        try Self.checkName(name)
        try setAttribute(index: index, "name \(name)") { $0.attribute(NL.iflaIfname, string: name) }
    }

    private func setAttribute(index: Int32, _ what: String, _ add: (inout NetlinkMessageBuilder) -> Void) throws(NetlinkError) {
        var message = NetlinkMessageBuilder(type: NL.newLink, flags: 0)
        message.linkHeader(index: index)
        add(&message)
        try execute(message, "RTM_NEWLINK index \(index) \(what)")
    }

    /// Interface names are 1–15 bytes without `/`, whitespace or NUL, and not `.` or `..` (dev_valid_name).
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...15).contains(bytes.count), name != ".", name != ".." else { return false }
        return !bytes.contains { $0 == 0 || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 <= 0x20 || $0 == 0x7f }
    }

    static func checkName(_ name: String) throws(NetlinkError) {
        guard isValidName(name) else { throw NetlinkError("interface name \"\(name)\"", errno: EINVAL) }
    }
}
