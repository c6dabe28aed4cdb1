import PaddockCNI
import PaddockJSON
import XCTest

/// A gateway answering from a table, recording what the adapter asked (the protocol logic is what
/// is under test here; the real driver path is tested through the binary in PaddockHostTests).
final class RecordingGateway: CNIDriverGateway {
    var answers: [String: (Int32, JSONValue)] = [:]
    var existingInterfaces: Set<String> = []
    var unknownDrivers: Set<String> = []
    var calls: [(driver: String, operation: String, request: JSONValue)] = []
    var interfaceChecks = 0

    func call(driver: String, operation: String, request: JSONValue) throws(CNIError) -> (status: Int32, body: JSONValue) {
        if unknownDrivers.contains(driver) { throw CNIError(.invalidConfig, "driver \(driver): not enabled") }
        calls.append((driver, operation, request))
        return answers[operation] ?? (0, .object([:]))
    }

    func checkInterfaceAbsent(netns: String, interface: String) throws(CNIError) {
        interfaceChecks += 1
        if existingInterfaces.contains(interface) { throw CNIError(.init(rawValue: 102), "interface \(interface) already exists") }
    }
}

final class CNIAdapterTests: XCTestCase {
    let environment = ["CNI_COMMAND": "ADD", "CNI_CONTAINERID": "c1", "CNI_NETNS": "/run/netns/x", "CNI_IFNAME": "eth0", "CNI_PATH": "/opt/cni/bin"]
    let config = #"{"cniVersion":"1.0.0","name":"web","type":"paddock","driver":"vx","extra":{"k":"v"}}"#

    func run(_ gateway: RecordingGateway, command: String = "ADD", stdin: String? = nil, change: [String: String?] = [:]) -> (CNIOutcome, JSONValue?) {
        var env = environment
        env["CNI_COMMAND"] = command
        for (key, value) in change { env[key] = value }
        let outcome = CNIAdapter(gateway: gateway).run(environment: env, stdin: Array((stdin ?? config).utf8))
        return (outcome, outcome.stdout.isEmpty ? nil : try? JSONValue(parsing: outcome.stdout))
    }

    func testAddReturnsTheDriverResultInTheConfigVersion() {
        let gateway = RecordingGateway()
        gateway.answers["add"] = (0, ["cniVersion": "1.1.0", "interfaces": [["name": "eth0", "mtu": 1450, "sandbox": "/run/netns/x"]],
                                      "ips": [["address": "198.18.5.2/24", "gateway": "198.18.5.1", "interface": 0]]])
        let (outcome, json) = run(gateway)
        XCTAssertEqual(outcome.exitStatus, 0)
        XCTAssertEqual(json?["cniVersion"], "1.0.0")
        XCTAssertEqual(json?["ips"]?[0]?["address"], "198.18.5.2/24")
        XCTAssertNil(json?["interfaces"]?[0]?["mtu"], "mtu is a 1.1.0 member")
        XCTAssertEqual(gateway.calls.count, 1)
        let request = gateway.calls[0].request
        XCTAssertEqual(gateway.calls[0].operation, "add")
        XCTAssertEqual(gateway.calls[0].driver, "vx")
        XCTAssertEqual(request["config"]?["extra"]?["k"], "v", "unknown keys pass through")
        XCTAssertEqual(request["containerId"], "c1")
        XCTAssertEqual(gateway.interfaceChecks, 1)
    }

    func testAddOnAnExistingInterfaceFailsBeforeTheDriverRuns() {
        let gateway = RecordingGateway()
        gateway.existingInterfaces = ["eth0"]
        let (outcome, json) = run(gateway)
        XCTAssertEqual(outcome.exitStatus, 1)
        XCTAssertEqual(json?["code"], 102)
        XCTAssertTrue(gateway.calls.isEmpty)
    }

    func testChainedAddSkipsTheInterfaceGuard() {
        let gateway = RecordingGateway()
        gateway.existingInterfaces = ["eth0"]
        let chained = #"{"cniVersion":"1.0.0","name":"web","driver":"vx","prevResult":{"cniVersion":"1.0.0","interfaces":[{"name":"eth0"}]}}"#
        let (outcome, _) = run(gateway, stdin: chained)
        XCTAssertEqual(outcome.exitStatus, 0)
        XCTAssertEqual(gateway.interfaceChecks, 0)
    }

    /// SPEC, chained plugins: the answer is prevResult with this plugin's additions, its IP's
    /// interface index pointing past the earlier interfaces.
    func testChainedAddReturnsPrevResultWithTheDriversAdditions() {
        let gateway = RecordingGateway()
        gateway.answers["add"] = (0, ["cniVersion": "1.0.0", "interfaces": [["name": "eth1", "sandbox": "/run/netns/x"]],
                                      "ips": [["address": "198.19.0.5/24", "gateway": "198.19.0.1", "interface": 0]],
                                      "routes": [["dst": "198.19.0.0/16"]]])
        let chained = #"{"cniVersion":"1.0.0","name":"web","driver":"vx","prevResult":{"cniVersion":"1.0.0","interfaces":[{"name":"eth0"},{"name":"veth0"}],"ips":[{"address":"198.18.9.2/24","interface":0}],"routes":[{"dst":"0.0.0.0/0","gw":"198.18.9.1"}],"dns":{"nameservers":["198.18.9.53"]}}}"#
        let (outcome, json) = run(gateway, stdin: chained, change: ["CNI_IFNAME": "eth1"])
        XCTAssertEqual(outcome.exitStatus, 0, outcome.stdout)
        XCTAssertEqual(json?["interfaces"]?.arrayValue?.compactMap { $0["name"]?.stringValue }, ["eth0", "veth0", "eth1"])
        XCTAssertEqual(json?["ips"]?[0]?["address"], "198.18.9.2/24")
        XCTAssertEqual(json?["ips"]?[1]?["address"], "198.19.0.5/24")
        XCTAssertEqual(json?["ips"]?[1]?["interface"], 2)
        XCTAssertEqual(json?["routes"]?.arrayValue?.count, 2)
        XCTAssertEqual(json?["dns"]?["nameservers"]?[0], "198.18.9.53", "the driver added no DNS, so prevResult's stays")
        XCTAssertEqual(json?["cniVersion"], "1.0.0")
    }

    func testDriverErrorsKeepTheirCodeAndNameTheDriver() {
        let gateway = RecordingGateway()
        gateway.answers["add"] = (11, ["code": 11, "msg": "no free address", "details": "widen the range"])
        let (outcome, json) = run(gateway)
        XCTAssertEqual(outcome.exitStatus, 1)
        XCTAssertEqual(json?["code"], 11)
        XCTAssertEqual(json?["cniVersion"], "1.0.0")
        XCTAssertEqual(json?["msg"], "driver vx: ADD failed: no free address")
        XCTAssertEqual(json?["details"], "widen the range")
    }

    func testAResultThatIsNotCNIIsAnError() {
        let gateway = RecordingGateway()
        gateway.answers["add"] = (0, ["ips": [["address": "not-an-ip"]]])
        let (outcome, json) = run(gateway)
        XCTAssertEqual(outcome.exitStatus, 1)
        XCTAssertEqual(json?["code"], 106)
    }

    func testDelAndCheckPrintNothingOnSuccess() {
        let gateway = RecordingGateway()
        var (outcome, _) = run(gateway, command: "DEL", change: ["CNI_NETNS": nil])
        XCTAssertEqual(outcome, CNIOutcome(exitStatus: 0, stdout: ""))
        XCTAssertNil(gateway.calls.last?.request["netns"])
        let check = #"{"cniVersion":"1.0.0","name":"web","driver":"vx","prevResult":{"ips":[{"address":"198.18.5.2/24"}]}}"#
        (outcome, _) = run(gateway, command: "CHECK", stdin: check)
        XCTAssertEqual(outcome, CNIOutcome(exitStatus: 0, stdout: ""))
        XCTAssertEqual(gateway.calls.last?.operation, "check")
    }

    func testOptionalOperationsADriverLacksSucceed() {
        let gateway = RecordingGateway()
        for operation in ["check", "status", "gc"] { gateway.answers[operation] = (100, ["code": 100, "msg": "not supported"]) }
        let v11 = #"{"cniVersion":"1.1.0","name":"web","driver":"vx","prevResult":{"ips":[]}}"#
        for command in ["CHECK", "STATUS", "GC"] {
            XCTAssertEqual(run(gateway, command: command, stdin: v11).0.exitStatus, 0, command)
        }
        gateway.answers["del"] = (100, ["code": 100, "msg": "not supported"])
        XCTAssertEqual(run(gateway, command: "DEL").0.exitStatus, 1, "DEL is not optional")
    }

    func testStatusUnavailableIsCode50() {
        let gateway = RecordingGateway()
        gateway.answers["status"] = (50, ["code": 50, "msg": "bridge missing"])
        let (outcome, json) = run(gateway, command: "STATUS", stdin: #"{"cniVersion":"1.1.0","name":"web","driver":"vx"}"#)
        XCTAssertEqual(outcome.exitStatus, 1)
        XCTAssertEqual(json?["code"], 50)
        XCTAssertEqual(json?["cniVersion"], "1.1.0")
    }

    func testVersionAnswersWithoutConfigOrDriver() {
        let gateway = RecordingGateway()
        var (outcome, json) = run(gateway, command: "VERSION", stdin: "")
        XCTAssertEqual(outcome.exitStatus, 0)
        XCTAssertEqual(json?["supportedVersions"], ["1.0.0", "1.1.0"])
        XCTAssertEqual(json?["cniVersion"], "1.1.0")
        (outcome, json) = run(gateway, command: "VERSION", stdin: #"{"cniVersion":"1.0.0"}"#)
        XCTAssertEqual(json?["cniVersion"], "1.0.0")
        XCTAssertTrue(gateway.calls.isEmpty)
    }

    func testErrorsAreCNIErrorObjectsOnStdout() {
        let gateway = RecordingGateway()
        gateway.unknownDrivers = ["vx"]
        let cases: [(String, [String: String?], String?, Int)] = [
            ("ADD", ["CNI_NETNS": nil], nil, 4),
            ("ADD", ["CNI_CONTAINERID": "../../etc"], nil, 4),
            ("ADD", ["CNI_IFNAME": "this-is-too-long-for-linux"], nil, 4),
            ("ADD", [:], "{not json", 6),
            ("ADD", [:], #"{"cniVersion":"0.4.0","name":"web","driver":"vx"}"#, 1),
            ("ADD", [:], #"{"cniVersion":"1.0.0","name":"web"}"#, 7),
            ("ADD", [:], nil, 7),
        ]
        for (command, change, stdin, expected) in cases {
            let (outcome, json) = run(gateway, command: command, stdin: stdin, change: change)
            XCTAssertEqual(outcome.exitStatus, 1, "\(change) \(stdin ?? "")")
            XCTAssertEqual(json?["code"]?.intValue, expected, "\(change) \(stdin ?? "")")
            XCTAssertNotNil(json?["msg"]?.stringValue)
            XCTAssertNotNil(json?["cniVersion"]?.stringValue)
        }
    }
}
