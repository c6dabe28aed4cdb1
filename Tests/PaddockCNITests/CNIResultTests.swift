import PaddockCNI
import PaddockJSON
import XCTest

final class CNIResultTests: XCTestCase {
    let full: JSONValue = [
        "cniVersion": "1.1.0",
        "interfaces": [["name": "eth0", "mac": "02:00:00:00:00:01", "sandbox": "/run/netns/x", "mtu": 1450, "socketPath": "/s"]],
        "ips": [["address": "198.18.5.2/24", "gateway": "198.18.5.1", "interface": 0]],
        "routes": [["dst": "0.0.0.0/0", "gw": "198.18.5.1", "priority": 10, "scope": 0]],
        "dns": ["nameservers": ["198.18.5.1"]],
        "unknown": true,
    ]

    func testVersion1_0DropsMembersAdded_in1_1() throws {
        let result = try CNIResult.normalize(full, version: .v1_0_0)
        XCTAssertEqual(result["cniVersion"], "1.0.0")
        XCTAssertEqual(result["interfaces"]?[0]?.objectValue?.keys.sorted(), ["mac", "name", "sandbox"])
        XCTAssertEqual(result["routes"]?[0]?.objectValue?.keys.sorted(), ["dst", "gw"])
        XCTAssertEqual(result["ips"]?[0]?["interface"], 0)
        XCTAssertNil(result["unknown"])
    }

    func testVersion1_1KeepsThem() throws {
        let result = try CNIResult.normalize(full, version: .v1_1_0)
        XCTAssertEqual(result["interfaces"]?[0]?["mtu"], 1450)
        XCTAssertEqual(result["routes"]?[0]?["priority"], 10)
        XCTAssertEqual(result["dns"]?["nameservers"], ["198.18.5.1"])
    }

    func testBrokenResultsAreRefused() {
        let broken: [(JSONValue, String)] = [
            (["ips": [["address": "198.18.5.2"]]], "no prefix"),
            (["ips": [["address": "198.18.5.300/24"]]], "bad octet"),
            (["ips": [["address": "198.18.5.2/24", "interface": 1]]], "interface index beyond interfaces"),
            (["ips": "x"], "ips not an array"),
            (["interfaces": [["mac": "x"]]], "interface without a name"),
            (["routes": [["gw": "198.18.5.1"]]], "route without dst"),
            (["interfaces": [["name": "eth0", "mtu": "big"]]], "mtu a string"),
            ([1], "not an object"),
        ]
        for (value, label) in broken {
            XCTAssertThrowsError(try CNIResult.normalize(value, version: .v1_1_0), label)
        }
    }
}
