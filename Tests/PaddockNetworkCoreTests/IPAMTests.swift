import PaddockNetlink
import PaddockNetworkCore
import XCTest

final class IPAMTests: XCTestCase {
    let block = IPv4Network("198.19.5.0/29")! // .2 … .6 leasable

    func testLeasesAreLowestFreeStickyAndReleased() throws {
        let store = MemoryLeaseStore()
        let ipam = IPAM(store: store, network: "net1")
        XCTAssertEqual(try ipam.acquire(owner: "c1/eth0", block: block).description, "198.19.5.2")
        XCTAssertEqual(try ipam.acquire(owner: "c2/eth0", block: block).description, "198.19.5.3")
        XCTAssertEqual(try ipam.acquire(owner: "c1/eth0", block: block).description, "198.19.5.2", "same owner, same lease")
        try ipam.release(owner: "c1/eth0")
        try ipam.release(owner: "c1/eth0") // idempotent
        XCTAssertNil(try ipam.lease(of: "c1/eth0"))
        XCTAssertEqual(try ipam.acquire(owner: "c3/eth0", block: block).description, "198.19.5.2")
        XCTAssertEqual(Set(try ipam.owners()), ["c2/eth0", "c3/eth0"])
    }

    func testExhaustionIsTryAgainAndARaceMovesOn() throws {
        let store = MemoryLeaseStore()
        let ipam = IPAM(store: store, network: "net1")
        _ = try ipam.acquire(owner: "c0/eth0", block: block)
        // Another process writes the table between our read and our swap: we read again.
        store.interleavedWrite = ("ipam/net1", #"{"198.19.5.2":"c0/eth0","198.19.5.3":"racer/eth0"}"#)
        XCTAssertEqual(try ipam.acquire(owner: "c1/eth0", block: block).description, "198.19.5.4")
        for index in 2...3 { _ = try ipam.acquire(owner: "c\(index)/eth0", block: block) }
        XCTAssertThrowsError(try ipam.acquire(owner: "c9/eth0", block: block)) { error in
            XCTAssertEqual((error as? NetworkError)?.code, .tryAgain)
        }
        let leases = try ipam.leases()
        XCTAssertEqual(leases.count, 5)
        XCTAssertEqual(Set(leases.values).count, 5, "no address handed out twice")
    }

    func testOverlappingNetworksAreRefused() throws {
        let registry = NetworkRegistry(store: MemoryLeaseStore())
        try registry.register("env1", subnet: IPv4Network("198.19.0.0/16")!)
        try registry.register("env1", subnet: IPv4Network("198.19.0.0/16")!)
        try registry.register("env2", subnet: IPv4Network("198.18.128.0/17")!)
        XCTAssertThrowsError(try registry.register("env3", subnet: IPv4Network("198.19.4.0/24")!)) { error in
            XCTAssertEqual((error as? NetworkError)?.code, .invalidConfig)
            XCTAssertTrue((error as? NetworkError)?.message.contains("env1") ?? false)
        }
        XCTAssertThrowsError(try registry.register("env1", subnet: IPv4Network("198.18.0.0/24")!))
        XCTAssertThrowsError(try registry.register("../x", subnet: IPv4Network("198.18.0.0/24")!))
    }

    func testIdentityRefusesSlashesDotDotNulAndOverlongNames() {
        func identity(_ id: String?, _ ifName: String? = "eth0", _ netns: String? = "/var/run/netns/x") throws -> AttachmentIdentity {
            try AttachmentIdentity(containerID: id, ifName: ifName, netns: netns, requireNetns: true)
        }
        XCTAssertNoThrow(try identity("abc-123_x.y"))
        for bad in [nil, "", "a/b", "..", "a..b", "a\u{0}b", String(repeating: "a", count: 256), ".hidden", "x y"] {
            XCTAssertThrowsError(try identity(bad), "\(String(describing: bad))") { error in
                XCTAssertEqual((error as? NetworkError)?.code, .invalidEnvironment)
            }
        }
        for bad in ["", "eth/0", "..", ".", "e\u{0}", "sixteen-chars-xx", "a b"] {
            XCTAssertThrowsError(try identity("c1", bad), bad)
        }
        XCTAssertThrowsError(try identity("c1", "eth0", "relative/path"))
        XCTAssertThrowsError(try identity("c1", "eth0", nil))
        XCTAssertNoThrow(try AttachmentIdentity(containerID: "c1", ifName: nil, netns: nil, requireNetns: false))
    }

    func testHostVethNamesAreShortStableAndDistinct() {
        let config = BridgeAttachmentConfig(network: "n", bridge: "br", block: block, mtu: 1450)
        let a = try! AttachmentIdentity(containerID: "c1", ifName: "eth0", netns: "", requireNetns: false)
        let b = try! AttachmentIdentity(containerID: "c2", ifName: "eth0", netns: "", requireNetns: false)
        XCTAssertEqual(config.hostVethName(a), config.hostVethName(a))
        XCTAssertNotEqual(config.hostVethName(a), config.hostVethName(b))
        XCTAssertEqual(config.hostVethName(a).utf8.count, 12)
        XCTAssertTrue(NetlinkSocket.isValidName(config.hostVethName(a)))
    }
}
