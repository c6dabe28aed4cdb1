import Foundation
import PaddockPosix
import XCTest

/// The Swift example (host-local IPAM, built with PaddockPluginKit) through the real binary:
/// manifest read from its file, fingerprint with the Swift toolchain, leases unique across
/// concurrent processes through the host's key-value store.
final class SwiftPluginTests: XCTestCase {
    func setUpPlugin(_ temp: TemporaryDirectory) throws -> (plugins: String, state: String) {
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        let built = try Harness.swiftPlugin("HostLocal")
        symlink(built, "\(plugins)/libHostLocal.so")
        return (plugins, state)
    }

    func testManifestAndSwiftFingerprintAreReadWithoutLoading() throws {
        let temp = try temporaryDirectory()
        let (plugins, state) = try setUpPlugin(temp)
        let run = try Harness.paddock(["plugin", "inspect", "host-local", "--format", "json"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(run.status, .exited(0), run.stderr)
        let report = try XCTUnwrap(run.json as? [String: Any])
        XCTAssertEqual(report["status"] as? String, "disabled")
        let build = try XCTUnwrap(report["build"] as? [String: String])
        let host = try XCTUnwrap(report["host_build"] as? [String: String])
        XCTAssertEqual(build["swift"], host["swift"], "the SDK records the toolchain the host was built with")
        XCTAssertEqual(build["paddock-abi"], "1.0")
        XCTAssertTrue((report["needed"] as? [String] ?? []).contains("libswiftCore.so"))
        let human = try Harness.paddock(["plugin", "inspect", "host-local"], pluginPath: plugins, stateDir: state)
        XCTAssertTrue(human.stdout.contains("Config schema:"), human.stdout)
        XCTAssertTrue(human.stdout.contains("\"format\": \"cidr\""), human.stdout)
    }

    func testASwiftPluginFromAnotherToolchainIsRefusedSayingWhy() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        var bytes = try FileSystem.read(try Harness.swiftPlugin("HostLocal"))
        // Rewrite the swift= entry in place, as a plugin built by another toolchain would carry.
        let needle = Array("swift=".utf8)
        let at = try XCTUnwrap((0..<(bytes.count - needle.count)).first { Array(bytes[$0..<$0 + needle.count]) == needle })
        bytes[at + 6] = UInt8(ascii: "5")
        try Data(bytes).write(to: URL(fileURLWithPath: "\(plugins)/old.so"))
        let run = try Harness.paddock(["plugin", "list", "--format", "json"], pluginPath: plugins, stateDir: state)
        let row = try XCTUnwrap((run.json as? [[String: Any]])?.first)
        XCTAssertEqual(row["status"] as? String, "error")
        let reason = row["reason"] as? String ?? ""
        XCTAssertTrue(reason.contains("built with Swift 5"), reason)
        XCTAssertTrue(reason.contains("rebuild the plugin with the host's toolchain"), reason)
    }

    func testLeasesAreUniqueAcrossConcurrentProcessesAndReleased() throws {
        let temp = try temporaryDirectory()
        let (plugins, state) = try setUpPlugin(temp)
        let config = "\(temp.path)/ipam.json"
        try Data(#"{"subnet": "198.18.7.0/24"}"#.utf8).write(to: URL(fileURLWithPath: config))
        let enable = try Harness.paddock(["plugin", "enable", "host-local", "--config", config], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(enable.status, .exited(0), enable.stderr)

        let count = 16
        let addresses = LockedArray()
        DispatchQueue.concurrentPerform(iterations: count) { index in
            let request = #"{"containerId":"c\#(index)","ifName":"eth0"}"#
            if let run = try? Harness.paddock(["plugin", "invoke", "host-local", "network.add", request, "--format", "json"],
                                              pluginPath: plugins, stateDir: state),
               let ips = (run.json as? [String: Any])?["ips"] as? [[String: Any]], let address = ips.first?["address"] as? String {
                addresses.append(address)
            } else {
                addresses.append("failed c\(index)")
            }
        }
        let leased = addresses.items
        XCTAssertEqual(leased.count, count)
        XCTAssertEqual(Set(leased).count, count, "no address twice: \(leased.sorted())")
        XCTAssertTrue(leased.allSatisfy { $0.hasPrefix("198.18.7.") && $0.hasSuffix("/24") && $0 != "198.18.7.1/24" }, "\(leased)")

        // ADD again for the same attachment returns the same lease; DEL is idempotent; CHECK agrees.
        func invoke(_ op: String, _ request: String) throws -> Harness.Run {
            try Harness.paddock(["plugin", "invoke", "host-local", "network.\(op)", request, "--format", "json"], pluginPath: plugins, stateDir: state)
        }
        let again = try invoke("add", #"{"containerId":"c0","ifName":"eth0"}"#)
        XCTAssertTrue(leased.contains(((again.json as? [String: Any])?["ips"] as? [[String: Any]])?.first?["address"] as? String ?? "?"))
        XCTAssertEqual(try invoke("check", #"{"containerId":"c0","ifName":"eth0"}"#).status, .exited(0))
        XCTAssertEqual(try invoke("del", #"{"containerId":"c0","ifName":"eth0"}"#).status, .exited(0))
        XCTAssertEqual(try invoke("del", #"{"containerId":"c0","ifName":"eth0"}"#).status, .exited(0), "DEL of a gone lease succeeds")
        let check = try invoke("check", #"{"containerId":"c0","ifName":"eth0"}"#)
        XCTAssertEqual(check.status, .exited(1))
        XCTAssertEqual((check.json as? [String: Any])?["code"] as? Int, 3)

        // GC keeps only the valid attachments.
        let keep = #"{"config":{"cni.dev/valid-attachments":[{"containerID":"c1","ifname":"eth0"}]}}"#
        let gc = try invoke("gc", keep)
        XCTAssertEqual(gc.status, .exited(0), gc.stdout)
        XCTAssertEqual(((gc.json as? [String: Any])?["released"] as? [String])?.count, count - 2)
        XCTAssertEqual(try invoke("check", #"{"containerId":"c1","ifName":"eth0"}"#).status, .exited(0))

        // The leases live in the host's store file, readable by operators.
        let store = try String(contentsOfFile: "\(state)/kv/host-local.json", encoding: .utf8)
        XCTAssertTrue(store.contains("owner/c1/eth0"), store)
    }

    func testBadRequestsGetErrorDocumentsAndLeaveLeasesAlone() throws {
        let temp = try temporaryDirectory()
        let (plugins, state) = try setUpPlugin(temp)
        let badConfig = "\(temp.path)/bad.json"
        try Data(#"{"subnet": "198.18.7.0/33"}"#.utf8).write(to: URL(fileURLWithPath: badConfig))
        let refused = try Harness.paddock(["plugin", "enable", "host-local", "--config", badConfig], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(refused.status, .exited(1))
        XCTAssertTrue(refused.stderr.contains("/subnet"), refused.stderr)
        let good = "\(temp.path)/good.json"
        try Data(#"{"subnet": "198.18.7.0/30"}"#.utf8).write(to: URL(fileURLWithPath: good))
        XCTAssertEqual(try Harness.paddock(["plugin", "enable", "host-local", "--config", good], pluginPath: plugins, stateDir: state).status, .exited(0))
        let cases: [(String, Int)] = [
            ("{", 6), ("", 4), (#"{"containerId":"a/b"}"#, 4), (#"{"containerId":"x","config":{"ipam":{"subnet":"bogus"}}}"#, 7),
        ]
        for (request, code) in cases {
            let run = try Harness.paddock(["plugin", "invoke", "host-local", "network.add", request, "--format", "json"], pluginPath: plugins, stateDir: state)
            XCTAssertEqual(run.status, .exited(1), request)
            XCTAssertEqual((run.json as? [String: Any])?["code"] as? Int, code, "\(request): \(run.stdout)")
        }
        // A /30 has one leasable address beside the gateway; the second ADD says try again.
        XCTAssertEqual(try Harness.paddock(["plugin", "invoke", "host-local", "network.add", #"{"containerId":"one"}"#], pluginPath: plugins, stateDir: state).status, .exited(0))
        let full = try Harness.paddock(["plugin", "invoke", "host-local", "network.add", #"{"containerId":"two"}"#, "--format", "json"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual((full.json as? [String: Any])?["code"] as? Int, 11)
    }
}
