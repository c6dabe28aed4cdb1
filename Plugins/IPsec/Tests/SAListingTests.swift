import IPsecCore
import XCTest

final class SAListingTests: XCTestCase {
    // As strongSwan 5.9.8's swanctl printed it here.
    let sample = """
        conn-198-18-0-2: #2, ESTABLISHED, IKEv2, 5ffe8a03559c841b_i 5decfa9987a44086_r*
          local  '198.18.0.1' @ 198.18.0.1[4500]
          remote '198.18.0.2' @ 198.18.0.2[4500]
          AES_GCM_16-128/PRF_HMAC_SHA2_256/MODP_2048
          established 3s ago, rekeying in 14189s
          conn-198-18-0-2: #5, reqid 1, INSTALLED, TUNNEL-in-UDP, ESP:AES_GCM_16-128/MODP_2048
            installed 2s ago, rekeying in 3341s, expires in 3958s
            in  c4a29ea4 (-|0x00000000),      0 bytes,     0 packets
            local  198.19.1.0/24
            remote 198.19.2.0/24
        conn-198-18-0-3: #3, CONNECTING, IKEv2, 1111111111111111_i 0000000000000000_r
          local  '198.18.0.1' @ 198.18.0.1[500]
        conn-198-18-0-9: #4, ESTABLISHED, IKEv2, 2222222222222222_i 3333333333333333_r*
        """

    func testStatesPerConnection() {
        let listing = SAListing(listSAs: sample)
        XCTAssertEqual(listing.connections["conn-198-18-0-2"]?.ikeStates, ["ESTABLISHED"])
        XCTAssertEqual(listing.connections["conn-198-18-0-2"]?.childStates, ["INSTALLED"])
        XCTAssertEqual(listing.connections["conn-198-18-0-2"]?.isUp, true)
        XCTAssertEqual(listing.connections["conn-198-18-0-3"]?.ikeStates, ["CONNECTING"])
        XCTAssertEqual(listing.connections["conn-198-18-0-9"]?.isUp, false)
        XCTAssertEqual(SAListing(listSAs: "").connections, [:])
    }

    func testReconciliationTerminatesDepartedAndInitiatesMissing() {
        let listing = SAListing(listSAs: sample)
        let wanted = ["198.18.0.2", "198.18.0.3", "198.18.0.4"].map {
            PeerHost(name: $0, address: IPv4($0)!, subnet: IPv4Subnet("198.19.\($0.split(separator: ".").last!).0/24")!)
        }
        let plan = Reconciliation(desired: wanted, listing: listing)
        XCTAssertEqual(plan.terminate, ["conn-198-18-0-9"])
        // .2 is up, .3 is still negotiating (charon keeps trying): only .4 needs initiating.
        XCTAssertEqual(plan.initiate, ["conn-198-18-0-4"])
        let halfUp = SAListing(listSAs: "conn-198-18-0-2: #7, ESTABLISHED, IKEv2, a_i b_r\n")
        XCTAssertEqual(Reconciliation(desired: [wanted[0]], listing: halfUp).initiate, ["conn-198-18-0-2"], "IKE without CHILD SA")
    }

    func testLoadedConnections() {
        let text = "conn-198-18-0-2: IKEv2, no reauthentication, rekeying every 14400s\n  local:  198.18.0.1\n  conn-198-18-0-2: TUNNEL, rekeying every 3600s\n"
        XCTAssertEqual(SAListing.loadedConnections(text), ["conn-198-18-0-2"])
    }
}
