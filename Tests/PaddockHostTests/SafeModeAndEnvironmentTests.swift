import Foundation
import Glibc
import PaddockPosix
import XCTest

/// Safe mode loads only plugins shipped with Paddock; a setuid paddock ignores path overrides
/// from the environment.
final class SafeModeAndEnvironmentTests: XCTestCase {
    func testSafeModeSkipsThirdPartyPlugins() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        _ = try Harness.swiftPlugin("HostLocal")
        try Harness.fixture("GOOD", name: "third-party", into: plugins)
        // A copy of a shipped plugin outside Paddock's own directory is third-party too.
        symlink("\(Harness.productsDirectory)/libHostLocal.so", "\(plugins)/copy-of-host-local.so")
        let path = "\(Harness.productsDirectory):\(plugins)"
        let run = try Harness.paddock(["plugin", "list", "--format", "json", "--safe-mode"], pluginPath: path, stateDir: state)
        XCTAssertEqual(run.status, .exited(0), run.stderr)
        let rows = try XCTUnwrap(run.json as? [[String: Any]])
        func row(_ suffix: String) -> [String: Any]? { rows.first { ($0["path"] as? String)?.hasSuffix(suffix) == true } }
        XCTAssertEqual(row("/libHostLocal.so")?["status"] as? String, "disabled", "\(rows)")
        XCTAssertEqual(row("/good.so")?["status"] as? String, "skipped")
        XCTAssertTrue((row("/good.so")?["reason"] as? String ?? "").contains("safe mode"))
        XCTAssertEqual(row("/copy-of-host-local.so")?["status"] as? String, "skipped")
        let normal = try Harness.paddock(["plugin", "list", "--format", "json"], pluginPath: path, stateDir: state)
        let all = try XCTUnwrap(normal.json as? [[String: Any]])
        XCTAssertEqual(all.first { ($0["path"] as? String)?.hasSuffix("/good.so") == true }?["status"] as? String, "disabled")
    }

    func testASetuidPaddockIgnoresPathOverridesFromTheEnvironment() throws {
        guard getuid() == 0 else {
            throw XCTSkip("needs root to make a setuid-root copy of paddock; CI runs as root")
        }
        let temp = try temporaryDirectory()
        let bin = try temp.subdirectory("bin")
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        try Harness.fixture("GOOD", name: "planted", into: plugins)
        let copy = "\(bin)/paddock"
        XCTAssertEqual(try ChildProcess.run("/bin/cp", arguments: [Harness.paddock, copy], timeoutSeconds: 60).termination, .exited(0))
        XCTAssertEqual(chmod(copy, 0o4755), 0)
        chmod(state, 0o777)
        var env = ChildProcess.currentEnvironment()
        env["PADDOCK_PLUGIN_PATH"] = plugins
        env["PADDOCK_STATE_DIR"] = state
        env["HOME"] = state
        // As nobody, the setuid-root copy runs with AT_SECURE set.
        let secure = try ChildProcess.run("/usr/bin/setpriv", arguments: ["--reuid=65534", "--regid=65534", "--clear-groups", copy,
                                                                          "plugin", "list", "--format", "json", "--state-dir", state],
                                          environment: env, timeoutSeconds: 60)
        let stdout = String(decoding: secure.stdout, as: UTF8.self)
        XCTAssertEqual(secure.termination, .exited(0), String(decoding: secure.stderr, as: UTF8.self))
        XCTAssertFalse(stdout.contains("planted"), "the environment's plugin path was ignored: \(stdout)")
        // The same binary without setuid honours it.
        XCTAssertEqual(chmod(copy, 0o755), 0)
        let plain = try ChildProcess.run("/usr/bin/setpriv", arguments: ["--reuid=65534", "--regid=65534", "--clear-groups", copy,
                                                                         "plugin", "list", "--format", "json", "--state-dir", state],
                                         environment: env, timeoutSeconds: 60)
        XCTAssertTrue(String(decoding: plain.stdout, as: UTF8.self).contains("planted"))
    }
}
