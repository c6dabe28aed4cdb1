import IPsecCore
import XCTest

final class RenderingTests: XCTestCase {
    let me = PeerHost(name: "h2", address: IPv4("198.18.0.2")!, subnet: IPv4Subnet("198.19.2.0/24")!)
    let lower = PeerHost(name: "h1", address: IPv4("198.18.0.1")!, subnet: IPv4Subnet("198.19.1.0/24")!)
    let higher = PeerHost(name: "h3", address: IPv4("198.18.0.3")!, subnet: IPv4Subnet("198.19.3.0/24")!)

    func section(_ text: String, _ name: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(of: "  \(name) {"[...]) else { return "" }
        let end = lines[start...].firstIndex(of: "  }"[...]) ?? lines.endIndex
        return lines[start...end].joined(separator: "\n")
    }

    func testOneConnectionPerPeerWithRancherNetsSettingsOneKeyPerLine() {
        let text = SwanctlConfig(me: me, peers: [lower, higher], psk: "0123456789abcdef\"x", gcm: true).render()
        for line in text.split(separator: "\n") {
            XCTAssertLessThanOrEqual(line.components(separatedBy: " = ").count, 2, "one key per line: \(line)")
        }
        let toLower = section(text, "conn-198-18-0-1")
        XCTAssertTrue(toLower.contains("remote_addrs = 198.18.0.1"))
        XCTAssertTrue(toLower.contains("local_ts = 198.19.2.0/24"))
        XCTAssertTrue(toLower.contains("remote_ts = 198.19.1.0/24"))
        XCTAssertTrue(toLower.contains("encap = yes"))
        XCTAssertTrue(toLower.contains("version = 2"))
        XCTAssertTrue(toLower.contains("proposals = aes128gcm16-prfsha256-modp2048,aes128-sha1-modp2048"))
        XCTAssertTrue(toLower.contains("esp_proposals = aes128gcm16-modp2048,aes128-sha1-modp2048"))
        XCTAssertTrue(toLower.contains("dpd_action = restart"))
        XCTAssertTrue(toLower.contains("dpd_delay = 10s"))
        XCTAssertTrue(toLower.contains("keyingtries = 0"))
        XCTAssertTrue(toLower.contains("replay_window = 1024"))
        XCTAssertTrue(toLower.contains("start_action = start"))
        // One-sided rekeying: toward a lower address this (higher) side waits 8760 h…
        XCTAssertTrue(toLower.contains("rekey_time = 8760h"))
        // …toward a higher address it rekeys on rancher-net's schedule.
        let toHigher = section(text, "conn-198-18-0-3")
        XCTAssertTrue(toHigher.contains("    rekey_time = 4h"))
        XCTAssertTrue(toHigher.contains("        rekey_time = 1h"))
        // The PSK is hex, so quotes in it cannot break the file.
        XCTAssertTrue(text.contains("secret = 0x30313233343536373839616263646566227"))
        XCTAssertFalse(text.contains("\"x"))
        XCTAssertEqual(text.components(separatedBy: "id-2 = ").count - 1, 2)
    }

    func testWithoutAEADNoGCMIsProposed() {
        let text = SwanctlConfig(me: me, peers: [lower], psk: String(repeating: "k", count: 16), gcm: false).render()
        XCTAssertFalse(text.contains("gcm"))
        XCTAssertTrue(text.contains("esp_proposals = aes128-sha1-modp2048"))
    }

    func testNoPeersRendersEmptySections() {
        let text = SwanctlConfig(me: me, peers: [], psk: String(repeating: "k", count: 16), gcm: true).render()
        XCTAssertEqual(text, "connections {\n}\nsecrets {\n}\n")
    }

    func testCharonConfigPerDataPath() {
        let user = CharonConfig(viciSocket: "/s/charon.vici", logFile: "/s/charon.log", dataPath: .userspace).render()
        XCTAssertTrue(user.contains("load = random nonce openssl pem pkcs1 aes sha1 sha2 hmac gcm kdf kernel-libipsec kernel-netlink socket-default vici updown"))
        XCTAssertTrue(user.contains("allow_peer_ts = yes"))
        XCTAssertTrue(user.contains("fwmark = !0x42"))
        XCTAssertTrue(user.contains("fwmark = 0x42"))
        XCTAssertTrue(user.contains("socket = unix:///s/charon.vici"))
        XCTAssertTrue(user.contains("path = /s/charon.log"))
        let kernel = CharonConfig(viciSocket: "/s/charon.vici", logFile: "/s/charon.log", dataPath: .kernel).render()
        XCTAssertFalse(kernel.contains("kernel-libipsec"))
        XCTAssertFalse(kernel.contains("fwmark"))
        XCTAssertTrue(kernel.contains(" kdf kernel-netlink socket-default"))
    }
}
