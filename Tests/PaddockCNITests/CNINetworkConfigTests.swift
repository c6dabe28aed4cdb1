import PaddockCNI
import PaddockJSON
import XCTest

final class CNINetworkConfigTests: XCTestCase {
    func config(_ text: String, _ command: CNICommand = .add) throws -> CNINetworkConfig {
        try CNINetworkConfig(bytes: Array(text.utf8), command: command)
    }

    func code(_ text: String, _ command: CNICommand = .add) -> Int? {
        do {
            _ = try config(text, command)
            return nil
        } catch {
            return (error as? CNIError)?.code.rawValue ?? -1
        }
    }

    let good = #"{"cniVersion":"1.0.0","name":"web","type":"paddock","driver":"host-local","ipam":{"subnet":"198.18.5.0/24"},"custom":[1,2]}"#

    func testAGoodEntryKeepsUnknownKeys() throws {
        let parsed = try config(good)
        XCTAssertEqual(parsed.driver, "host-local")
        XCTAssertEqual(parsed.name, "web")
        XCTAssertEqual(parsed.version, .v1_0_0)
        XCTAssertEqual(parsed.raw["custom"], [1, 2])
        XCTAssertNil(parsed.prevResult)
    }

    func testMalformedInputIsDecodeError() {
        let cases: [(String, String)] = [("", "empty"), ("   \n", "blank"), ("{\"cniVersion\":", "truncated"), ("[1]", "array"),
                                         ("\"x\"", "string"), (#"{"cniVersion":1,"name":"a","driver":"d"}"#, "version is a number")]
        for (text, label) in cases { XCTAssertEqual(code(text), 6, label) }
    }

    func testVersionNegotiation() {
        XCTAssertEqual(code(#"{"name":"a","driver":"d"}"#), 1, "a missing cniVersion means 0.1.0")
        for version in ["0.4.0", "0.3.1", "2.0.0", "1.2.0", "banana", "1.0.0-rc1"] {
            XCTAssertEqual(code(#"{"cniVersion":"\#(version)","name":"a","driver":"d"}"#), 1, version)
        }
        XCTAssertNil(code(#"{"cniVersion":"1.1.0","name":"a","driver":"d"}"#))
        XCTAssertNil(code(#"{"cniVersion":"1.0.0","name":"a","driver":"d"}"#))
        XCTAssertEqual(code(#"{"cniVersion":"1.0.0","name":"a","driver":"d"}"#, .status), 1, "STATUS is 1.1.0")
        XCTAssertEqual(code(#"{"cniVersion":"1.0.0","name":"a","driver":"d"}"#, .gc), 1, "GC is 1.1.0")
        XCTAssertNil(code(#"{"cniVersion":"1.1.0","name":"a","driver":"d"}"#, .gc))
    }

    func testInvalidConfigIsCode7() {
        let cases: [(String, String)] = [
            (#"{"cniVersion":"1.0.0","driver":"d"}"#, "no name"),
            (#"{"cniVersion":"1.0.0","name":"-bad","driver":"d"}"#, "bad name"),
            (#"{"cniVersion":"1.0.0","name":"a"}"#, "no driver"),
            (#"{"cniVersion":"1.0.0","name":"a","driver":5}"#, "driver a number"),
            (#"{"cniVersion":"1.0.0","name":"a","driver":"../x"}"#, "driver a path"),
            (#"{"cniVersion":"1.0.0","name":"a","driver":"Host"}"#, "driver upper case"),
            (#"{"cniVersion":"1.0.0","name":"a","driver":"d","runtimeConfig":"x"}"#, "runtimeConfig a string"),
            (#"{"cniVersion":"1.0.0","name":"a","driver":"d","ipam":[]}"#, "ipam an array"),
        ]
        for (text, label) in cases { XCTAssertEqual(code(text), 7, label) }
    }

    func testCheckNeedsPrevResultAndPrevResultMustDecode() {
        XCTAssertEqual(code(good, .check), 7)
        let withPrevious = #"{"cniVersion":"1.0.0","name":"a","driver":"d","prevResult":{"cniVersion":"1.0.0","ips":[{"address":"198.18.5.2/24"}]}}"#
        XCTAssertNil(code(withPrevious, .check))
        XCTAssertNil(code(withPrevious, .del))
        XCTAssertNil(code(#"{"cniVersion":"1.0.0","name":"a","driver":"d","prevResult":null}"#, .del), "DEL tolerates an empty prevResult")
        XCTAssertEqual(code(#"{"cniVersion":"1.0.0","name":"a","driver":"d","prevResult":{"ips":[{"address":"nope"}]}}"#, .check), 6)
        XCTAssertEqual(code(#"{"cniVersion":"1.0.0","name":"a","driver":"d","prevResult":[]}"#, .del), 6)
    }

    func testGCAttachmentsMustBeWellFormed() {
        XCTAssertNil(code(#"{"cniVersion":"1.1.0","name":"a","driver":"d","cni.dev/valid-attachments":[{"containerID":"c","ifname":"eth0"}]}"#, .gc))
        XCTAssertEqual(code(#"{"cniVersion":"1.1.0","name":"a","driver":"d","cni.dev/valid-attachments":{}}"#, .gc), 7)
        XCTAssertEqual(code(#"{"cniVersion":"1.1.0","name":"a","driver":"d","cni.dev/valid-attachments":[{"containerID":"c"}]}"#, .gc), 7)
    }

    func testHostPathsFile() throws {
        let paths = try CNIHostPaths(parsing: Array(#"{"pluginPath":["/p"],"stateDir":"/s","configDir":"/c","executable":"/bin/paddock"}"#.utf8), file: "f")
        XCTAssertEqual(paths, CNIHostPaths(pluginPath: ["/p"], stateDirectory: "/s", configDirectory: "/c", executable: "/bin/paddock"))
        XCTAssertEqual(try CNIHostPaths(parsing: Array(paths.document.serialized().utf8), file: "f"), paths)
        for bad in [#"{"stateDir":"relative"}"#, #"{"pluginPath":"/p"}"#, "nope", "[]"] {
            XCTAssertThrowsError(try CNIHostPaths(parsing: Array(bad.utf8), file: "f"), bad) { error in
                XCTAssertEqual((error as? CNIError)?.code, .invalidConfig)
            }
        }
    }
}
