import Foundation
import PaddockNetlink
import XCTest

/// Every netlink operation against the real kernel, inside namespaces the test makes; each result
/// is read back with iproute2 (`ip -j`, `bridge -j`), not with the code under test.
final class NetlinkLinkTests: XCTestCase {
    func testBridgeVethIntoAnotherNamespaceAddressRouteAndMaster() throws {
        let scratch = try ScratchNamespaces(self, tag: "a")
        let host = try scratch.make("h")
        let container = try scratch.make("c")
        let hostNS = try NetworkNamespace(named: host)
        let containerNS = try NetworkNamespace(named: container)
        let socket = try hostNS.socket()

        try socket.createBridge(name: "br0", mtu: 1450)
        let bridge = try XCTUnwrap(socket.link(named: "br0"))
        XCTAssertEqual(bridge.kind, "bridge")
        try socket.setUp(index: bridge.index)
        try socket.addAddress(InterfaceAddress(index: bridge.index, address: IPv4Address("198.18.7.1")!, prefix: 24))

        try socket.createVeth(name: "vh0", peerName: "eth0", peerNamespace: containerNS, mtu: 1450)
        let hostEnd = try XCTUnwrap(socket.link(named: "vh0"))
        XCTAssertNil(try socket.link(named: "eth0"), "the peer was created in the container namespace, not here")
        try socket.setMaster(index: hostEnd.index, master: bridge.index)
        try socket.setUp(index: hostEnd.index)

        let inside = try containerNS.socket()
        let eth0 = try XCTUnwrap(inside.link(named: "eth0"))
        XCTAssertEqual(eth0.mtu, 1450)
        try inside.addAddress(InterfaceAddress(index: eth0.index, address: IPv4Address("198.18.7.2")!, prefix: 24))
        try inside.setUp(index: eth0.index)
        try inside.addRoute(Route(destination: IPv4Network("0.0.0.0/0")!, gateway: IPv4Address("198.18.7.1")!,
                                  outputIndex: eth0.index))

        let links = try scratch.json(host, ["link", "show", "vh0"])
        XCTAssertEqual(links.first?["master"] as? String, "br0")
        // Hairpin on the bridge port, as `bridge -d link` reads it in that namespace; and off again.
        func hairpin() throws -> Bool? {
            try scratch.json(host, tool: "bridge", ["-d", "link", "show", "dev", "vh0"]).first?["hairpin"] as? Bool
        }
        XCTAssertEqual(try hairpin(), false)
        try socket.setHairpin(index: hostEnd.index)
        XCTAssertEqual(try hairpin(), true)
        try socket.setHairpin(index: hostEnd.index, false)
        XCTAssertEqual(try hairpin(), false)
        let addresses = try scratch.json(container, ["addr", "show", "eth0"])
        let info = (addresses.first?["addr_info"] as? [[String: Any]]) ?? []
        XCTAssertTrue(info.contains { $0["local"] as? String == "198.18.7.2" && $0["prefixlen"] as? Int == 24 })
        let routes = try scratch.json(container, ["route", "show", "default"])
        XCTAssertEqual(routes.first?["gateway"] as? String, "198.18.7.1")
        XCTAssertEqual(try socket.addresses(index: bridge.index).map(\.description), ["198.18.7.1/24"])
        XCTAssertTrue(try inside.routes().contains { $0.destination.prefix == 0 && $0.gateway == IPv4Address("198.18.7.1") })

        // Traffic flows across what we built.
        XCTAssertEqual(try shell(["ip", "netns", "exec", container, "busybox", "ping", "-c", "1", "-W", "2", "198.18.7.1"], check: false).status, 0)

        // Deleting one veth end removes both; deleting what is gone reports false.
        try socket.deleteLink(index: hostEnd.index)
        XCTAssertNil(try inside.link(named: "eth0"))
        XCTAssertFalse(try socket.deleteLink(named: "vh0"))
    }

    func testVXLANWithFDBNeighbourAndOnlinkRouteIsWhatIproute2Reads() throws {
        let scratch = try ScratchNamespaces(self, tag: "b")
        let host = try scratch.make("h")
        let namespace = try NetworkNamespace(named: host)
        let socket = try namespace.socket()
        try socket.createBridge(name: "under0")
        let underlay = try XCTUnwrap(socket.link(named: "under0"))
        try socket.setUp(index: underlay.index)
        try socket.addAddress(InterfaceAddress(index: underlay.index, address: IPv4Address("198.18.0.1")!, prefix: 24))

        let mac = MACAddress("0e:00:c6:12:00:01")!
        try socket.createVXLAN(VXLANSpec(name: "vtep1042", vni: 1042, port: 4789, local: IPv4Address("198.18.0.1"),
                                         underlayIndex: underlay.index, learning: false, mac: mac, mtu: 1450))
        let vtep = try XCTUnwrap(socket.link(named: "vtep1042"))
        XCTAssertEqual(vtep.kind, "vxlan")
        XCTAssertEqual(vtep.mac, mac)
        try socket.setUp(index: vtep.index)
        let details = try scratch.json(host, ["-d", "link", "show", "vtep1042"])
        let data = ((details.first?["linkinfo"] as? [String: Any])?["info_data"] as? [String: Any]) ?? [:]
        XCTAssertEqual(data["id"] as? Int, 1042)
        XCTAssertEqual(data["port"] as? Int, 4789)
        XCTAssertEqual(data["local"] as? String, "198.18.0.1")
        XCTAssertEqual(data["learning"] as? Bool, false)

        let peerMAC = MACAddress("0e:00:c6:12:00:02")!
        let peer = IPv4Address("198.18.0.2")!
        try socket.addFDBEntry(FDBEntry(index: vtep.index, mac: peerMAC, destination: peer))
        try socket.addNeighbour(Neighbour(index: vtep.index, address: IPv4Address("198.18.129.0")!, mac: peerMAC))
        try socket.addRoute(Route(destination: IPv4Network("198.18.129.0/24")!, gateway: IPv4Address("198.18.129.0"),
                                  outputIndex: vtep.index, onlink: true))

        let fdb = try scratch.json(host, tool: "bridge", ["fdb", "show", "dev", "vtep1042"])
        XCTAssertTrue(fdb.contains { $0["mac"] as? String == peerMAC.description && $0["dst"] as? String == "198.18.0.2" })
        let neighbours = try scratch.json(host, ["neigh", "show", "dev", "vtep1042"])
        XCTAssertTrue(neighbours.contains {
            $0["dst"] as? String == "198.18.129.0" && $0["lladdr"] as? String == peerMAC.description
                && (($0["state"] as? [String]) ?? []).contains("PERMANENT")
        })
        let routes = try scratch.json(host, ["route", "show", "198.18.129.0/24"])
        XCTAssertEqual(routes.first?["gateway"] as? String, "198.18.129.0")
        XCTAssertTrue(((routes.first?["flags"] as? [String]) ?? []).contains("onlink"))

        // Our own listing agrees.
        XCTAssertEqual(try socket.fdbEntries(index: vtep.index).filter { $0.mac == peerMAC }.map(\.destination), [peer])
        XCTAssertEqual(try socket.neighbours(index: vtep.index).map(\.address), [IPv4Address("198.18.129.0")!])
        let ours = try socket.routes().filter { $0.outputIndex == vtep.index }
        XCTAssertEqual(ours.map(\.destination), [IPv4Network("198.18.129.0/24")!])
        XCTAssertTrue(ours[0].onlink)

        // Replacing is idempotent; deleting removes; deleting again reports false.
        try socket.addFDBEntry(FDBEntry(index: vtep.index, mac: peerMAC, destination: peer))
        try socket.addRoute(ours[0], replace: true)
        XCTAssertTrue(try socket.deleteRoute(ours[0]))
        XCTAssertTrue(try socket.deleteNeighbour(index: vtep.index, address: IPv4Address("198.18.129.0")!))
        XCTAssertTrue(try socket.deleteFDBEntry(FDBEntry(index: vtep.index, mac: peerMAC, destination: peer)))
        XCTAssertFalse(try socket.deleteRoute(ours[0]))
        XCTAssertFalse(try socket.deleteNeighbour(index: vtep.index, address: IPv4Address("198.18.129.0")!))
        XCTAssertFalse(try socket.deleteFDBEntry(FDBEntry(index: vtep.index, mac: peerMAC, destination: peer)))
        XCTAssertTrue(try scratch.json(host, tool: "bridge", ["fdb", "show", "dev", "vtep1042"]).filter { $0["mac"] as? String == peerMAC.description }.isEmpty)
    }

    func testErrorsCarryErrnoAndOperation() throws {
        let scratch = try ScratchNamespaces(self, tag: "c")
        let host = try scratch.make("h")
        let socket = try NetworkNamespace(named: host).socket()
        try socket.createBridge(name: "dup0")
        XCTAssertThrowsError(try socket.createBridge(name: "dup0")) { error in
            let failure = error as? NetlinkError
            XCTAssertEqual(failure?.errno, EEXIST)
            XCTAssertTrue(failure?.operation.contains("dup0") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try socket.createBridge(name: "has/slash"))
        XCTAssertThrowsError(try socket.createBridge(name: "much-too-long-name0"))
        XCTAssertThrowsError(try NetworkNamespace(path: "/etc/hostname")) { error in
            XCTAssertEqual((error as? NetlinkError)?.errno, EINVAL)
        }
        XCTAssertThrowsError(try NetworkNamespace(named: "../etc"))
        XCTAssertNil(try socket.link(named: "absent0"))
    }

    func testRunInsideSeesTheNamespaceAndSysctlWritesThere() throws {
        let scratch = try ScratchNamespaces(self, tag: "d")
        let host = try scratch.make("h")
        let namespace = try NetworkNamespace(named: host)
        let forwardingHere = try Sysctl.read("net.ipv4.ip_forward")
        try namespace.run { try Sysctl.write("net.ipv4.ip_forward", "1") }
        XCTAssertEqual(try namespace.run { try Sysctl.read("net/ipv4/ip_forward") }, "1")
        XCTAssertEqual(try shell(["ip", "netns", "exec", host, "cat", "/proc/sys/net/ipv4/ip_forward"]).output
            .trimmingCharacters(in: .whitespacesAndNewlines), "1")
        XCTAssertEqual(try Sysctl.read("net.ipv4.ip_forward"), forwardingHere, "the calling thread stayed where it was")
        let names = try namespace.run { try NetlinkSocket().links().map(\.name) }
        XCTAssertEqual(names, ["lo"])
    }
}
