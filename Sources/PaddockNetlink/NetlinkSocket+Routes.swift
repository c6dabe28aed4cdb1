extension NetlinkSocket {
    /// `ip route add` (or `replace` when `replace` is true).
    public func addRoute(_ route: Route, replace: Bool = false) throws(NetlinkError) {
        let flags = NL.create | (replace ? NL.replace : NL.exclusive)
        try execute(routeMessage(NL.newRoute, flags, route), "RTM_NEWROUTE \(route)")
    }

    /// `ip route del`; false when there was no such route.
    @discardableResult
    public func deleteRoute(_ route: Route) throws(NetlinkError) -> Bool {
        do {
            try execute(routeMessage(NL.delRoute, 0, route), "RTM_DELROUTE \(route)")
            return true
        } catch where error.isNotFound {
            return false
        }
    }

    /// IPv4 unicast routes of one table (main by default).
    public func routes(table: UInt32 = 254) throws(NetlinkError) -> [Route] {
        var message = NetlinkMessageBuilder(type: NL.getRoute, flags: 0)
        message.appendUInt8(NL.afInet)
        for _ in 0..<7 { message.appendUInt8(0) }
        message.appendUInt32(0)
        return try dump(message, "RTM_GETROUTE dump").compactMap { reply -> Route? in
            let payload = reply.payload
            guard reply.type == NL.newRoute, payload.count >= 12 else { return nil }
            let start = payload.startIndex
            guard payload[start] == NL.afInet, payload[start + 7] == NL.routeUnicast else { return nil }
            let attributes = NetlinkAttributes(payload.dropFirst(12))
            let routeTable = attributes.uint32(NL.rtaTable) ?? UInt32(payload[start + 4])
            guard routeTable == table else { return nil }
            let prefix = Int(payload[start + 1])
            let destinationAddress = attributes[NL.rtaDst].flatMap { IPv4Address(bytes: $0) } ?? IPv4Address(0)
            guard let destination = IPv4Network(destinationAddress, prefix: prefix) else { return nil }
            return Route(
                destination: destination,
                gateway: attributes[NL.rtaGateway].flatMap { IPv4Address(bytes: $0) },
                outputIndex: attributes.uint32(NL.rtaOif).map { Int32(bitPattern: $0) },
                onlink: payload.uint32(at: start + 8) & NL.flagOnlink != 0,
                scope: Route.Scope(rawValue: payload[start + 6]) ?? .universe,
                table: routeTable,
                preferredSource: attributes[NL.rtaPrefsrc].flatMap { IPv4Address(bytes: $0) },
                metric: attributes.uint32(NL.rtaPriority))
        }
    }

    private func routeMessage(_ type: UInt16, _ flags: UInt16, _ route: Route) -> NetlinkMessageBuilder {
        var message = NetlinkMessageBuilder(type: type, flags: flags)
        message.appendUInt8(NL.afInet)
        message.appendUInt8(UInt8(route.destination.prefix))
        message.appendUInt8(0) // src_len
        message.appendUInt8(0) // tos
        message.appendUInt8(route.table < 256 ? UInt8(route.table) : 252 /* RT_TABLE_COMPAT */)
        message.appendUInt8(NL.protoBoot)
        message.appendUInt8(route.scope.rawValue)
        message.appendUInt8(NL.routeUnicast)
        message.appendUInt32(route.onlink ? NL.flagOnlink : 0)
        if route.table >= 256 { message.attribute(NL.rtaTable, uint32: route.table) }
        if route.destination.prefix > 0 { message.attribute(NL.rtaDst, route.destination.network.bytes) }
        if let gateway = route.gateway { message.attribute(NL.rtaGateway, gateway.bytes) }
        if let index = route.outputIndex { message.attribute(NL.rtaOif, int32: index) }
        if let source = route.preferredSource { message.attribute(NL.rtaPrefsrc, source.bytes) }
        if let metric = route.metric { message.attribute(NL.rtaPriority, uint32: metric) }
        return message
    }
}
