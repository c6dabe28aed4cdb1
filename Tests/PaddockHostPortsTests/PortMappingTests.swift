import PaddockHostPorts
import PaddockJSON
import XCTest

final class PortMappingTests: XCTestCase {
    func testRancherPortStringsParse() throws {
        let cases: [(String, PortMapping)] = [
            ("8080:80", PortMapping(hostPort: 8080, containerPort: 80, proto: .tcp)),
            ("8080:80/tcp", PortMapping(hostPort: 8080, containerPort: 80, proto: .tcp)),
            ("53:5353/udp", PortMapping(hostPort: 53, containerPort: 5353, proto: .udp)),
            ("9000:9000/SCTP", PortMapping(hostPort: 9000, containerPort: 9000, proto: .sctp)),
            ("198.18.0.1:443:8443/tcp", PortMapping(hostIP: IPv4Address("198.18.0.1"), hostPort: 443, containerPort: 8443)),
            ("0.0.0.0:80:80", PortMapping(hostPort: 80, containerPort: 80)),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(try PortMapping(parsing: text), expected, text)
        }
        XCTAssertNil(try PortMapping(parsing: "0.0.0.0:80:80").hostIP, "0.0.0.0 means any local address")
        XCTAssertEqual(try PortMapping(parsing: "198.18.0.1:443:8443/udp").description, "198.18.0.1:443:8443/udp")
    }

    func testMalformedPortStringsAreRefusedWithTheFormat() {
        for text in ["", "80", "80:", ":80", "0:80", "80:65536", "a:80", "80:80/icmp", "1.2.3:80:80", "256.1.1.1:80:80",
                     "198.18.0.1:80:80:80", "80:80/", "+80:80", "80:+80", "080.1.1.1:1:1", "+1.2.3.4:1:1"] {
            XCTAssertThrowsError(try PortMapping(parsing: text), text) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains("[ip:]public:private"), "\(text): \(message)")
                XCTAssertTrue(message.contains("\"\(text)\""), "names the input: \(message)")
            }
        }
    }

    func testCNIPortMappingsCapabilityParses() throws {
        let list: JSONValue = [
            ["hostPort": 8080, "containerPort": 80, "protocol": "tcp"],
            ["hostPort": 5353, "containerPort": 53, "protocol": "UDP", "hostIP": "198.18.0.9"],
            ["hostPort": 7000, "containerPort": 7000, "hostIP": ""],
        ]
        XCTAssertEqual(try PortMapping.cni(list), [
            PortMapping(hostPort: 8080, containerPort: 80, proto: .tcp),
            PortMapping(hostIP: IPv4Address("198.18.0.9"), hostPort: 5353, containerPort: 53, proto: .udp),
            PortMapping(hostPort: 7000, containerPort: 7000, proto: .tcp),
        ])
        XCTAssertEqual(try PortMapping.cni(nil), [])
    }

    func testBadCNIEntriesAreRefused() {
        let bad: [JSONValue] = [
            ["containerPort": 80], ["hostPort": 0, "containerPort": 80], ["hostPort": 80, "containerPort": 70000],
            ["hostPort": 80, "containerPort": 80, "protocol": "icmp"], ["hostPort": 80, "containerPort": 80, "hostIP": "fe80::1"],
            ["hostPort": "80", "containerPort": 80],
        ]
        for entry in bad {
            XCTAssertThrowsError(try PortMapping(cni: entry), entry.serialized())
        }
        XCTAssertThrowsError(try PortMapping.cni(["hostPort": 80]))
    }

    func testContainerIDsAreCheckedBeforeTheyBecomeKeysOrComments() {
        for good in ["abc", "c1-2_3.x", String(repeating: "a", count: 128)] {
            XCTAssertNoThrow(try ContainerPorts.validate(container: good), good)
        }
        for bad in ["", ".", "..", "a/b", "a\"b", "a b", "a\0b", String(repeating: "a", count: 129), "é"] {
            XCTAssertThrowsError(try ContainerPorts.validate(container: bad), bad)
        }
    }

    func testSubnetsAreMaskedAndContainTheirAddresses() throws {
        let subnet = try XCTUnwrap(IPv4Subnet("198.18.64.77/24"))
        XCTAssertEqual(subnet.description, "198.18.64.0/24")
        XCTAssertTrue(subnet.contains(try XCTUnwrap(IPv4Address("198.18.64.200"))))
        XCTAssertFalse(subnet.contains(try XCTUnwrap(IPv4Address("198.18.65.1"))))
        XCTAssertNil(IPv4Subnet("198.18.0.0/33"))
        XCTAssertNil(IPv4Subnet("198.18.0.0"))
    }
}
