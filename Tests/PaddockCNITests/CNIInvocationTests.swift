import PaddockCNI
import XCTest

final class CNIInvocationTests: XCTestCase {
    let base = ["CNI_COMMAND": "ADD", "CNI_CONTAINERID": "c1", "CNI_NETNS": "/run/netns/x", "CNI_IFNAME": "eth0", "CNI_PATH": "/opt/cni/bin"]

    func code(_ environment: [String: String]) -> Int? {
        do {
            _ = try CNIInvocation(environment: environment)
            return nil
        } catch {
            return error.code.rawValue
        }
    }

    func testEachCommandRequiresItsVariables() {
        XCTAssertNil(code(base))
        for (command, required) in [("ADD", ["CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH"]),
                                    ("CHECK", ["CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH"]),
                                    ("DEL", ["CNI_CONTAINERID", "CNI_IFNAME", "CNI_PATH"]),
                                    ("GC", ["CNI_PATH"]), ("STATUS", ["CNI_PATH"])] {
            var environment = base
            environment["CNI_COMMAND"] = command
            XCTAssertNil(code(environment), command)
            for key in required {
                var missing = environment
                missing[key] = nil
                XCTAssertEqual(code(missing), 4, "\(command) without \(key)")
                missing[key] = ""
                XCTAssertEqual(code(missing), 4, "\(command) with empty \(key)")
            }
        }
        var del = base
        del["CNI_COMMAND"] = "DEL"
        del["CNI_NETNS"] = nil
        XCTAssertNil(code(del), "DEL needs no netns")
        XCTAssertNil(code(["CNI_COMMAND": "VERSION"]), "VERSION needs only the command")
    }

    func testMissingVariablesAreNamed() {
        var environment = base
        environment["CNI_NETNS"] = nil
        environment["CNI_IFNAME"] = nil
        XCTAssertThrowsError(try CNIInvocation(environment: environment)) { error in
            XCTAssertEqual((error as? CNIError)?.message, "required env variables [CNI_NETNS,CNI_IFNAME] missing")
        }
    }

    func testUnknownOrMissingCommandIsInvalidEnvironment() {
        XCTAssertEqual(code([:]), 4)
        XCTAssertEqual(code(["CNI_COMMAND": "add"]), 4, "commands are upper case")
        XCTAssertEqual(code(["CNI_COMMAND": "ATTACH"]), 4)
    }

    func testBadContainerIDsAreRefused() {
        for bad in ["a/b", "..", "a..b", "-abc", ".hidden", "a b", "a\u{0}b", String(repeating: "a", count: 256), "ä"] {
            var environment = base
            environment["CNI_CONTAINERID"] = bad
            XCTAssertEqual(code(environment), 4, "container ID \(bad.debugDescription)")
        }
        for good in ["abc", "0f3e", "a.b-c_d", String(repeating: "f", count: 255)] {
            var environment = base
            environment["CNI_CONTAINERID"] = good
            XCTAssertNil(code(environment), good)
        }
    }

    func testBadInterfaceNamesAreRefused() {
        for bad in [".", "..", "a/b", "eth:0", "eth 0", "eth\t0", "e\u{0}", "abcdefghijklmnop"] {
            var environment = base
            environment["CNI_IFNAME"] = bad
            XCTAssertEqual(code(environment), 4, "ifname \(bad.debugDescription)")
        }
        var longest = base
        longest["CNI_IFNAME"] = "abcdefghijklmno"
        XCTAssertNil(code(longest), "15 bytes is IFNAMSIZ-1")
    }

    func testRelativeNetnsIsRefused() {
        var environment = base
        environment["CNI_NETNS"] = "run/netns/x"
        XCTAssertEqual(code(environment), 4)
    }

    func testArgumentsAreParsedAndMalformedOnesRefused() throws {
        var environment = base
        environment["CNI_ARGS"] = "IgnoreUnknown=1;K8S_POD_NAME=web;;EMPTY="
        let invocation = try CNIInvocation(environment: environment)
        XCTAssertEqual(invocation.arguments.map { "\($0.0)=\($0.1)" }, ["IgnoreUnknown=1", "K8S_POD_NAME=web", "EMPTY="])
        let request = invocation.driverRequest(config: ["name": "n"])
        XCTAssertEqual(request["args"]?["K8S_POD_NAME"]?.stringValue, "web")
        XCTAssertEqual(request["containerId"]?.stringValue, "c1")
        XCTAssertEqual(request["ifName"]?.stringValue, "eth0")
        XCTAssertEqual(request["netns"]?.stringValue, "/run/netns/x")
        XCTAssertEqual(request["command"]?.stringValue, "ADD")
        XCTAssertEqual(request["config"]?["name"]?.stringValue, "n")
        for bad in ["novalue", "=x", "A=1;broken"] {
            environment["CNI_ARGS"] = bad
            XCTAssertEqual(code(environment), 4, bad)
        }
    }
}
