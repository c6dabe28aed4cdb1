import IPsecCore
import PaddockJSON
import XCTest

final class PeerHostTests: XCTestCase {
    let plan = HostSubnetPlan(environment: IPv4Subnet("198.19.0.0/16")!, hostPrefix: 24)

    func host(_ name: String, _ ip: String, subnet: String? = nil) -> JSONValue {
        var record: [String: JSONValue] = ["name": .string(name), "agent_ip": .string(ip)]
        if let subnet { record["subnet"] = .string(subnet) }
        return .object(record)
    }

    func testBlocksAreDerivedFromTheAddressOrGiven() throws {
        XCTAssertEqual(plan.derived(for: IPv4("198.18.0.7")!).description, "198.19.7.0/24")
        XCTAssertEqual(try plan.host(host("a", "198.18.0.9")).get().subnet.description, "198.19.9.0/24")
        XCTAssertEqual(try plan.host(host("a", "198.18.0.9", subnet: "198.19.200.0/24")).get().subnet.description, "198.19.200.0/24")
        let wide = HostSubnetPlan(environment: IPv4Subnet("198.19.0.0/16")!, hostPrefix: 26)
        XCTAssertEqual(wide.derived(for: IPv4("198.18.0.3")!).description, "198.19.0.192/26")
    }

    func testMalformedPeersAreSkippedWithAReasonAndTheRestKept() throws {
        let me = try plan.host(host("h1", "198.18.0.1")).get()
        let set = PeerSet(me: me, hosts: [
            host("h1", "198.18.0.1"),
            host("h2", "198.18.0.2"),
            host("bad", "198.18.0.300"),
            host("worse", "not-an-address"),
            .object(["name": "none"]),
            host("dup", "198.18.0.2"),
            host("outside", "198.18.0.4", subnet: "203.0.113.0/24"),
            host("overlap", "198.18.0.5", subnet: "198.19.2.0/25"),
            host("h3", "198.18.0.3"),
        ], plan: plan)
        XCTAssertEqual(set.peers.map(\.name), ["h2", "h3"])
        XCTAssertEqual(set.peers.map(\.connectionName), ["conn-198-18-0-2", "conn-198-18-0-3"])
        XCTAssertEqual(set.skipped.count, 6, "\(set.skipped)")
        XCTAssertTrue(set.skipped.contains { $0.contains("malformed agent_ip \"198.18.0.300\"") })
        XCTAssertTrue(set.skipped.contains { $0.contains("bad") == false && $0.contains("no agent_ip") })
        XCTAssertTrue(set.skipped.contains { $0.contains("repeats agent_ip") })
        XCTAssertTrue(set.skipped.contains { $0.contains("overlapping h2's") })
    }

    func testAddressParsingIsStrict() {
        for bad in ["198.18.0", "198.18.0.1.2", "198.018.0.1", " 198.18.0.1", "198.18.0.-1", "198.18.0.1 "] {
            XCTAssertNil(IPv4(bad), bad)
        }
        XCTAssertEqual(IPv4("198.18.0.255")?.description, "198.18.0.255")
    }
}
