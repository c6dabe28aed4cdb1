import PaddockNetlink

/// The per-peer kernel entries on the VTEP: FDB (peer VTEP MAC → peer agent IP), permanent
/// neighbours (peer tunnel address → peer VTEP MAC), routes (peer block via its tunnel address,
/// onlink). Used for both what should exist and what does.
public struct PeerState: Sendable, Equatable {
    public struct Forwarding: Hashable, Sendable {
        public var mac: MACAddress
        public var destination: IPv4Address
        public init(mac: MACAddress, destination: IPv4Address) {
            self.mac = mac
            self.destination = destination
        }
    }

    public var forwarding: Set<Forwarding> = []
    public var neighbours: [IPv4Address: MACAddress] = [:]
    public var routes: [IPv4Network: IPv4Address] = [:]

    public init() {}

    public var isEmpty: Bool { forwarding.isEmpty && neighbours.isEmpty && routes.isEmpty }
    public var count: Int { forwarding.count + neighbours.count + routes.count }
}

/// The difference between desired and current: what to add (or replace) and what to remove.
public struct ReconcilePlan: Sendable, Equatable {
    public var add = PeerState()
    public var remove = PeerState()

    public init(desired: PeerState, current: PeerState) {
        add.forwarding = desired.forwarding.subtracting(current.forwarding)
        remove.forwarding = current.forwarding.subtracting(desired.forwarding)
        for (address, mac) in desired.neighbours where current.neighbours[address] != mac { add.neighbours[address] = mac }
        for (address, mac) in current.neighbours where desired.neighbours[address] == nil { remove.neighbours[address] = mac }
        for (block, gateway) in desired.routes where current.routes[block] != gateway { add.routes[block] = gateway }
        for (block, gateway) in current.routes where desired.routes[block] == nil { remove.routes[block] = gateway }
    }

    public var isEmpty: Bool { add.isEmpty && remove.isEmpty }
}
