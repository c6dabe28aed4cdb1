import PaddockJSON
import PaddockNetlink
import PaddockNetworkCore
import VXLANCore
import XCTest

final class VXLANCoreTests: XCTestCase {
    func host(_ name: String, _ ip: String, labels: [String: String] = [:]) -> HostRecord {
        HostRecord(name: name, agentIP: IPv4Address(ip)!, labels: labels)
    }

    func testVTEPMACIsRancherNets0E00PlusTheAgentAddress() {
        XCTAssertEqual(VTEPAddressing.mac(for: IPv4Address("198.18.0.11")!).description, "0e:00:c6:12:00:0b")
        XCTAssertEqual(VTEPAddressing.mac(for: IPv4Address("198.19.255.254")!).description, "0e:00:c6:13:ff:fe")
    }

    func testDefaultsAreRancherNetsAndRequestConfigWins() throws {
        let enable = try JSONValue(parsing: #"{"subnet":"198.19.0.0/16"}"#)
        let settings = try VXLANSettings.parse(enable: enable)
        XCTAssertEqual(settings.vtep, "vtep1042")
        XCTAssertEqual(settings.vni, 1042)
        XCTAssertEqual(settings.port, 4789)
        XCTAssertEqual(settings.blockPrefix, 24)
        XCTAssertEqual(settings.bridge, "paddock0")
        XCTAssertNil(settings.mtu)
        let request = try JSONValue(parsing: #"{"cniVersion":"1.1.0","name":"env2","type":"paddock","subnet":"198.18.64.0/18","blockPrefix":26}"#)
        let other = try VXLANSettings.parse(enable: enable, request: request)
        XCTAssertEqual(other.network, "env2")
        XCTAssertEqual(other.subnet.description, "198.18.64.0/18")
        XCTAssertEqual(other.blockPrefix, 26)
        XCTAssertNotEqual(other.bridge, "paddock0")
        XCTAssertTrue(NetlinkSocket.isValidName(other.bridge))
        // The stored form parses back to the same settings (reconcile reads it).
        XCTAssertEqual(try VXLANSettings.parse(enable: enable, request: other.stored), other)
    }

    func testMalformedConfigIsInvalidConfigAndNonObjectIsDecode() throws {
        let cases: [(String, Int32)] = [
            (#"{}"#, 7), (#"{"subnet":"198.19.0.1/16"}"#, 7), (#"{"subnet":"banana"}"#, 7), (#"{"subnet":5}"#, 7),
            (#"{"subnet":"198.19.0.0/16","vni":0}"#, 7), (#"{"subnet":"198.19.0.0/16","vni":1.5}"#, 7),
            (#"{"subnet":"198.19.0.0/16","port":70000}"#, 7), (#"{"subnet":"198.19.0.0/16","bridge":"a/b"}"#, 7),
            (#"{"subnet":"198.19.0.0/16","vtep":"way-too-long-name"}"#, 7), (#"{"subnet":"198.19.0.0/24","blockPrefix":16}"#, 7),
            (#"{"subnet":"198.19.0.0/16","mtu":100}"#, 7), (#"[1,2]"#, 6), (#""text""#, 6),
        ]
        for (text, code) in cases {
            XCTAssertThrowsError(try VXLANSettings.parse(enable: .object([:]), request: try JSONValue(parsing: text)), text) { error in
                XCTAssertEqual((error as? NetworkError)?.code.rawValue, code, "\(text): \(error)")
            }
        }
    }

    func testDesiredEntriesPerPeerExcludeSelfAndSkipClashes() throws {
        let blocks = try AddressBlocks(subnet: IPv4Network("198.19.0.0/16")!, blockPrefix: 24)
        let me = host("h1", "198.18.0.1")
        let planner = PeerPlanner(selfHost: me, hosts: [
            me, host("h2", "198.18.0.2"), host("h3", "198.18.0.3"),
            host("h4", "198.18.1.2"), // same low bits as h2: clash, skipped
            host("h5", "198.18.0.5", labels: [AddressBlocks.blockLabel: "nonsense"]),
        ])
        XCTAssertEqual(try planner.ownBlock(blocks).description, "198.19.1.0/24")
        let (state, skipped) = planner.desired([blocks])
        XCTAssertEqual(Set(state.forwarding.map(\.destination.description)), ["198.18.0.2", "198.18.0.3"])
        XCTAssertEqual(state.neighbours[IPv4Address("198.19.2.0")!]?.description, "0e:00:c6:12:00:02")
        XCTAssertEqual(state.routes[IPv4Network("198.19.3.0/24")!]?.description, "198.19.3.0")
        XCTAssertEqual(state.routes.count, 2)
        XCTAssertEqual(skipped.count, 2, "\(skipped)")
        XCTAssertTrue(skipped.contains { $0.contains("h4") } && skipped.contains { $0.contains("h5") })
    }

    func testSelfClashIsAnErrorNamingThePeer() throws {
        let blocks = try AddressBlocks(subnet: IPv4Network("198.19.0.0/16")!, blockPrefix: 24)
        let planner = PeerPlanner(selfHost: host("h1", "198.18.0.1"), hosts: [host("h1", "198.18.0.1"), host("h9", "198.18.3.1")])
        XCTAssertThrowsError(try planner.ownBlock(blocks)) { error in
            XCTAssertTrue((error as? NetworkError)?.message.contains("h9") ?? false)
        }
    }

    func testPlanRemovesDepartedPeersAndAddsOnlyWhatIsMissing() {
        let a = MACAddress("0e:00:c6:12:00:02")!, b = MACAddress("0e:00:c6:12:00:03")!
        var current = PeerState()
        current.forwarding = [.init(mac: a, destination: IPv4Address("198.18.0.2")!), .init(mac: b, destination: IPv4Address("198.18.0.3")!)]
        current.neighbours = [IPv4Address("198.19.2.0")!: a, IPv4Address("198.19.3.0")!: b]
        current.routes = [IPv4Network("198.19.2.0/24")!: IPv4Address("198.19.2.0")!, IPv4Network("198.19.3.0/24")!: IPv4Address("198.19.3.0")!]
        var desired = current
        desired.forwarding.remove(.init(mac: b, destination: IPv4Address("198.18.0.3")!))
        desired.neighbours[IPv4Address("198.19.3.0")!] = nil
        desired.routes[IPv4Network("198.19.3.0/24")!] = nil
        let plan = ReconcilePlan(desired: desired, current: current)
        XCTAssertTrue(plan.add.isEmpty)
        XCTAssertEqual(plan.remove.count, 3)
        XCTAssertEqual(plan.remove.routes.keys.map(\.description), ["198.19.3.0/24"])
        XCTAssertTrue(ReconcilePlan(desired: current, current: current).isEmpty)
        let restore = ReconcilePlan(desired: current, current: desired)
        XCTAssertEqual(restore.add.count, 3)
        XCTAssertTrue(restore.remove.isEmpty)
        // A peer whose address changed: the old forwarding entry goes, the new one comes.
        var moved = current
        moved.forwarding = [.init(mac: a, destination: IPv4Address("198.18.0.2")!), .init(mac: b, destination: IPv4Address("198.18.0.33")!)]
        let change = ReconcilePlan(desired: moved, current: current)
        XCTAssertEqual(change.add.forwarding.map(\.destination.description), ["198.18.0.33"])
        XCTAssertEqual(change.remove.forwarding.map(\.destination.description), ["198.18.0.3"])
    }
}
