extension NetlinkSocket {
    /// `ip addr replace ADDRESS/PREFIX dev INDEX`.
    public func addAddress(_ address: InterfaceAddress) throws(NetlinkError) {
        try execute(addressMessage(NL.newAddr, NL.create | NL.replace, address), "RTM_NEWADDR \(address) index \(address.index)")
    }

    /// `ip addr del`; false when the address was not there.
    @discardableResult
    public func deleteAddress(_ address: InterfaceAddress) throws(NetlinkError) -> Bool {
        do {
            try execute(addressMessage(NL.delAddr, 0, address), "RTM_DELADDR \(address) index \(address.index)")
            return true
        } catch where error.isNotFound {
            return false
        }
    }

    /// IPv4 addresses, of one link or of all.
    public func addresses(index: Int32? = nil) throws(NetlinkError) -> [InterfaceAddress] {
        var message = NetlinkMessageBuilder(type: NL.getAddr, flags: 0)
        message.appendUInt8(NL.afInet)
        message.appendUInt8(0)
        message.appendUInt8(0)
        message.appendUInt8(0)
        message.appendUInt32(0)
        return try dump(message, "RTM_GETADDR dump").compactMap { reply -> InterfaceAddress? in
            let payload = reply.payload
            guard reply.type == NL.newAddr, payload.count >= 8, payload[payload.startIndex] == NL.afInet else { return nil }
            let prefix = Int(payload[payload.startIndex + 1])
            let linkIndex = payload.int32(at: payload.startIndex + 4)
            if let index, index != linkIndex { return nil }
            let attributes = NetlinkAttributes(payload.dropFirst(8))
            guard let value = attributes[NL.ifaLocal] ?? attributes[NL.ifaAddress],
                  let address = IPv4Address(bytes: value) else { return nil }
            return InterfaceAddress(index: linkIndex, address: address, prefix: prefix)
        }
    }

    private func addressMessage(_ type: UInt16, _ flags: UInt16, _ address: InterfaceAddress) -> NetlinkMessageBuilder {
        var message = NetlinkMessageBuilder(type: type, flags: flags)
        message.appendUInt8(NL.afInet)
        message.appendUInt8(UInt8(address.prefix))
        message.appendUInt8(0) // flags
        message.appendUInt8(0) // scope universe
        message.appendInt32(address.index)
        message.attribute(NL.ifaLocal, address.address.bytes)
        message.attribute(NL.ifaAddress, address.address.bytes)
        return message
    }
}
