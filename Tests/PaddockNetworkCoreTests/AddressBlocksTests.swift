import PaddockJSON
import PaddockNetlink
import PaddockNetworkCore
import XCTest

final class AddressBlocksTests: XCTestCase {
    let subnet = IPv4Network("198.19.0.0/16")!

    func host(_ name: String, _ ip: String, labels: [String: String] = [:]) -> HostRecord {
        HostRecord(name: name, agentIP: IPv4Address(ip)!, labels: labels)
    }

    func testBlockFollowsTheAgentAddressSoEveryHostComputesTheSameMap() throws {
        let blocks = try AddressBlocks(subnet: subnet, blockPrefix: 24)
        XCTAssertEqual(blocks.blockCount, 256)
        let map = try blocks.assign([host("a", "198.18.0.11"), host("b", "198.18.0.12"), host("c", "198.18.0.13")])
        XCTAssertEqual(map["a"]?.description, "198.19.11.0/24")
        XCTAssertEqual(map["b"]?.description, "198.19.12.0/24")
        XCTAssertEqual(map["c"]?.description, "198.19.13.0/24")
        let block = map["a"]!
        XCTAssertEqual(AddressBlocks.tunnelAddress(block).description, "198.19.11.0")
        XCTAssertEqual(AddressBlocks.gateway(block).description, "198.19.11.1")
        XCTAssertEqual(AddressBlocks.firstLeasable(block).description, "198.19.11.2")
        XCTAssertEqual(AddressBlocks.lastLeasable(block).description, "198.19.11.254")
    }

    func testLabelOverridesAndClashesAreConflictsNamingBothHosts() throws {
        let blocks = try AddressBlocks(subnet: subnet, blockPrefix: 24)
        let labelled = host("a", "198.18.0.11", labels: [AddressBlocks.blockLabel: "198.19.200.0/24"])
        XCTAssertEqual(try blocks.block(of: labelled).description, "198.19.200.0/24")
        XCTAssertThrowsError(try blocks.assign([host("a", "198.18.0.11"), host("b", "198.18.1.11")])) { error in
            let failure = error as! NetworkError
            XCTAssertEqual(failure.code, .conflict)
            XCTAssertTrue(failure.message.contains("a") && failure.message.contains("b"))
            XCTAssertTrue(failure.details.contains(AddressBlocks.blockLabel))
        }
        for bad in ["198.20.0.0/24", "198.19.1.0/25", "nonsense"] {
            XCTAssertThrowsError(try blocks.block(of: host("x", "198.18.0.1", labels: [AddressBlocks.blockLabel: bad])), bad)
        }
        XCTAssertThrowsError(try AddressBlocks(subnet: IPv4Network("198.19.0.0/24")!, blockPrefix: 16))
    }

    func testMalformedPeerAddressesAreSkippedWithAReason() throws {
        let answer = try JSONValue(parsing: """
            [{"name":"a","agent_ip":"198.18.0.1"},{"name":"b","agent_ip":"198.18.0.300"},
             {"name":"c","agent_ip":"not an ip"},{"name":"d"},{"agent_ip":"198.18.0.9"},
             {"name":"e","agent_ip":"198.18.0.5","labels":{"zone":"x"}}]
            """)
        let (hosts, skipped) = HostRecord.parseAll(answer)
        XCTAssertEqual(hosts.map(\.name), ["a", "e"])
        XCTAssertEqual(hosts[1].labels, ["zone": "x"])
        XCTAssertEqual(skipped.count, 4)
        XCTAssertTrue(skipped[0].message.contains("host b has a malformed agent_ip"))
    }

    func testAddressParsing() {
        for good in ["0.0.0.0", "198.18.0.1", "255.255.255.255"] { XCTAssertEqual(IPv4Address(good)?.description, good) }
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01234.1.1.1", "1.2.3.-4", " 1.2.3.4", "1..2.3"] {
            XCTAssertNil(IPv4Address(bad), bad)
        }
        XCTAssertNil(IPv4Network("198.18.0.1/24"), "host bits set")
        XCTAssertEqual(IPv4Network("198.18.0.1/24", strict: false)?.description, "198.18.0.0/24")
        XCTAssertNil(IPv4Network("198.18.0.0/33"))
        XCTAssertTrue(IPv4Network("198.18.0.0/15")!.overlaps(IPv4Network("198.19.4.0/24")!))
        XCTAssertFalse(IPv4Network("198.18.0.0/16")!.overlaps(IPv4Network("198.19.0.0/16")!))
        XCTAssertEqual(MACAddress("0e:00:c6:12:00:0b")?.description, "0e:00:c6:12:00:0b")
        XCTAssertNil(MACAddress("0e:00:c6:12:00"))
    }
}
