extension NetlinkSocket {
    /// `ip neigh replace IP lladdr MAC dev INDEX nud permanent`.
    public func addNeighbour(_ neighbour: Neighbour) throws(NetlinkError) {
        var message = neighbourMessage(NL.newNeigh, NL.create | NL.replace, family: NL.afInet, index: neighbour.index,
                                       state: neighbour.isPermanent ? NL.nudPermanent : 0x02 /* NUD_REACHABLE */, flags: 0)
        message.attribute(NL.ndaDst, neighbour.address.bytes)
        if let mac = neighbour.mac { message.attribute(NL.ndaLladdr, mac.bytes) }
        try execute(message, "RTM_NEWNEIGH \(neighbour)")
    }

    /// `ip neigh del`; false when there was none.
    @discardableResult
    public func deleteNeighbour(index: Int32, address: IPv4Address) throws(NetlinkError) -> Bool {
        var message = neighbourMessage(NL.delNeigh, 0, family: NL.afInet, index: index, state: 0, flags: 0)
        message.attribute(NL.ndaDst, address.bytes)
        do {
            try execute(message, "RTM_DELNEIGH \(address) index \(index)")
            return true
        } catch where error.isNotFound {
            return false
        }
    }

    /// IPv4 neighbours, of one link or of all.
    public func neighbours(index: Int32? = nil) throws(NetlinkError) -> [Neighbour] {
        let message = neighbourMessage(NL.getNeigh, 0, family: NL.afInet, index: 0, state: 0, flags: 0)
        return try dump(message, "RTM_GETNEIGH dump").compactMap { reply -> Neighbour? in
            guard let (linkIndex, state, attributes) = Self.neighbourFields(reply, family: NL.afInet),
                  index == nil || index == linkIndex,
                  let address = attributes[NL.ndaDst].flatMap({ IPv4Address(bytes: $0) }) else { return nil }
            return Neighbour(index: linkIndex, address: address,
                             mac: attributes[NL.ndaLladdr].flatMap { MACAddress(bytes: Array($0)) },
                             isPermanent: state & NL.nudPermanent != 0)
        }
    }

    /// `bridge fdb replace MAC dst IP dev INDEX self permanent`; with `append`, `bridge fdb append`
    /// (several destinations for one MAC, as the all-zero flooding entry needs).
    public func addFDBEntry(_ entry: FDBEntry, append: Bool = false) throws(NetlinkError) {
        var message = neighbourMessage(NL.newNeigh, NL.create | (append ? NL.append : NL.replace), family: NL.afBridge,
                                       index: entry.index, state: NL.nudPermanent | NL.nudNoarp, flags: NL.ntfSelf)
        message.attribute(NL.ndaLladdr, entry.mac.bytes)
        if let destination = entry.destination { message.attribute(NL.ndaDst, destination.bytes) }
        try execute(message, "RTM_NEWNEIGH bridge fdb \(entry)")
    }

    /// `bridge fdb del MAC [dst IP] dev INDEX self`; false when there was none.
    @discardableResult
    public func deleteFDBEntry(_ entry: FDBEntry) throws(NetlinkError) -> Bool {
        var message = neighbourMessage(NL.delNeigh, 0, family: NL.afBridge, index: entry.index, state: 0, flags: NL.ntfSelf)
        message.attribute(NL.ndaLladdr, entry.mac.bytes)
        if let destination = entry.destination { message.attribute(NL.ndaDst, destination.bytes) }
        do {
            try execute(message, "RTM_DELNEIGH bridge fdb \(entry)")
            return true
        } catch where error.isNotFound {
            return false
        }
    }

    /// Bridge FDB entries, of one device or of all.
    public func fdbEntries(index: Int32? = nil) throws(NetlinkError) -> [FDBEntry] {
        let message = neighbourMessage(NL.getNeigh, 0, family: NL.afBridge, index: 0, state: 0, flags: 0)
        return try dump(message, "RTM_GETNEIGH bridge fdb dump").compactMap { reply -> FDBEntry? in
            guard let (linkIndex, _, attributes) = Self.neighbourFields(reply, family: NL.afBridge),
                  index == nil || index == linkIndex,
                  let mac = attributes[NL.ndaLladdr].flatMap({ MACAddress(bytes: Array($0)) }) else { return nil }
            return FDBEntry(index: linkIndex, mac: mac, destination: attributes[NL.ndaDst].flatMap { IPv4Address(bytes: $0) })
        }
    }

    /// ndmsg: family, pad, pad16, ifindex, state, flags, type.
    private func neighbourMessage(_ type: UInt16, _ flags: UInt16, family: UInt8, index: Int32, state: UInt16,
                                  flags ndmFlags: UInt8) -> NetlinkMessageBuilder {
        var message = NetlinkMessageBuilder(type: type, flags: flags)
        message.appendUInt8(family)
        message.appendUInt8(0)
        message.appendUInt16(0)
        message.appendInt32(index)
        message.appendUInt16(state)
        message.appendUInt8(ndmFlags)
        message.appendUInt8(0)
        return message
    }

    private static func neighbourFields(_ reply: NetlinkMessage, family: UInt8) -> (Int32, UInt16, NetlinkAttributes)? {
        let payload = reply.payload
        guard reply.type == NL.newNeigh, payload.count >= 12, payload[payload.startIndex] == family else { return nil }
        let start = payload.startIndex
        return (payload.int32(at: start + 4), payload.uint16(at: start + 8), NetlinkAttributes(payload.dropFirst(12)))
    }
}
