import IPsecCore
import PaddockJSON
import XCTest

final class IPsecSettingsTests: XCTestCase {
    func testDefaults() throws {
        let settings = try IPsecSettings(.object([:]))
        XCTAssertEqual(settings.subnet.description, "198.19.0.0/16")
        XCTAssertEqual(settings.hostPrefix, 24)
        XCTAssertNil(settings.psk)
        XCTAssertEqual(settings.bridge, "paddock-ipsec")
        XCTAssertEqual(settings.mtu, 1400)
        XCTAssertEqual(settings.dataPath, "auto")
        XCTAssertNil(settings.netns)
    }

    func testBadInputIsRefusedWithTheFix() {
        let cases: [(JSONValue, String)] = [
            (["psk": "short"], "fewer than 16"),
            (["psk": 42], "not a string"),
            (["subnet": "198.19.0.0"], "not an IPv4 CIDR"),
            (["subnet": "198.19.0.0/16", "host_prefix": 8], "wider than the subnet"),
            (["data_path": "fast"], "not one of auto, kernel, userspace"),
            (["bridge": "a/b"], "not a valid interface name"),
            (["bridge": "much-too-long-bridge-name"], "not a valid interface name"),
            (["netns": "../etc"], "not a namespace name"),
            (["mtu": 100], "not an integer in 576"),
            (["secret": "x"], "unknown key \"secret\""),
            (.array([]), "not an object"),
        ]
        for (config, expected) in cases {
            XCTAssertThrowsError(try IPsecSettings(config), "\(config.serialized())") { error in
                let failure = error as? IPsecConfigError
                XCTAssertTrue(failure?.message.contains(expected) == true, "\(config.serialized()): \(error)")
                XCTAssertFalse(failure?.fix.isEmpty ?? true)
            }
        }
    }

    func testAGoodPSKIsKept() throws {
        let settings = try IPsecSettings(["psk": "a \"quoted\" key = with; specials", "netns": "pi1h1"])
        XCTAssertEqual(settings.psk, "a \"quoted\" key = with; specials")
        XCTAssertEqual(settings.netns, "pi1h1")
    }

    func testDataPathChoice() throws {
        let none = KernelSupport(esp: false, espGCM: false)
        let auto = try DataPathChoice.choose(requested: "auto", kernel: none)
        XCTAssertEqual(auto.path, .userspace)
        XCTAssertTrue(auto.gcm, "charon's gcm plugin does AEAD in userspace")
        XCTAssertThrowsError(try DataPathChoice.choose(requested: "kernel", kernel: none))
        let kernelNoGCM = try DataPathChoice.choose(requested: "auto", kernel: KernelSupport(esp: true, espGCM: false))
        XCTAssertEqual(kernelNoGCM.path, .kernel)
        XCTAssertFalse(kernelNoGCM.gcm, "rancher-net drops GCM when the kernel lacks AEAD")
        XCTAssertEqual(try DataPathChoice.choose(requested: "userspace", kernel: KernelSupport(esp: true, espGCM: true)).path, .userspace)
    }
}
