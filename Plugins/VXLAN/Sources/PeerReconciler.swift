import PaddockNetlink
import PaddockNetworkCore
import VXLANCore

/// Applies a `ReconcilePlan` to the VTEP: removes departed peers' entries, adds or replaces the
/// missing ones, and touches nothing that is not on the VTEP.
struct PeerReconciler {
    let socket: NetlinkSocket
    let vtep: Link

    func current() throws(NetworkError) -> PeerState {
        var state = PeerState()
        try kernel("read VTEP \(vtep.name) entries") { () throws(NetlinkError) in
            for entry in try socket.fdbEntries(index: vtep.index) {
                guard let destination = entry.destination else { continue }
                state.forwarding.insert(.init(mac: entry.mac, destination: destination))
            }
            for neighbour in try socket.neighbours(index: vtep.index) where neighbour.isPermanent {
                if let mac = neighbour.mac { state.neighbours[neighbour.address] = mac }
            }
            for route in try socket.routes() where route.outputIndex == vtep.index {
                if let gateway = route.gateway { state.routes[route.destination] = gateway }
            }
        }
        return state
    }

    func apply(_ plan: ReconcilePlan) throws(NetworkError) {
        try kernel("reconcile VTEP \(vtep.name)") { () throws(NetlinkError) in
            for (block, gateway) in plan.remove.routes {
                try socket.deleteRoute(Route(destination: block, gateway: gateway, outputIndex: vtep.index, onlink: true))
            }
            for (address, _) in plan.remove.neighbours {
                try socket.deleteNeighbour(index: vtep.index, address: address)
            }
            for entry in plan.remove.forwarding {
                try socket.deleteFDBEntry(FDBEntry(index: vtep.index, mac: entry.mac, destination: entry.destination))
            }
            for entry in plan.add.forwarding {
                try socket.addFDBEntry(FDBEntry(index: vtep.index, mac: entry.mac, destination: entry.destination))
            }
            for (address, mac) in plan.add.neighbours {
                try socket.addNeighbour(Neighbour(index: vtep.index, address: address, mac: mac))
            }
            for (block, gateway) in plan.add.routes {
                try socket.addRoute(Route(destination: block, gateway: gateway, outputIndex: vtep.index, onlink: true), replace: true)
            }
        }
    }
}
