import Foundation
import PaddockCore
import PaddockHost
import PaddockPosix
import XCTest

/// `isolation: process`: the plugin runs in a worker; a crash or hang in a call fails that call
/// with a clear error, the worker is restarted, and the host lives on.
final class ProcessIsolationTests: XCTestCase {
    func worker(_ temp: TemporaryDirectory, name: String = "isolated", timeout: Double = 120) throws -> WorkerPluginInstance {
        try Harness.requirePaddock()
        let path = try Harness.fixture("GOOD", name: name, into: temp.path)
        return try WorkerPluginInstance(pluginName: name, path: path, config: .object(["size": 1]),
                                        executable: Harness.paddock, stateDirectory: try temp.subdirectory("state"),
                                        callTimeoutSeconds: timeout)
    }

    func testACrashInACallFailsThatCallAndTheWorkerIsRestarted() throws {
        let temp = try temporaryDirectory()
        let instance = try worker(temp)
        defer { instance.destroy() }
        XCTAssertEqual(instance.call(.storage, "list", .object([:])).body["volumes"], .array([]))
        let firstPID = try XCTUnwrap(instance.workerPID)
        let crashed = instance.call(.storage, "remove", .object(["name": "crash"]))
        XCTAssertEqual(crashed.status, 106)
        XCTAssertTrue(crashed.errorMessage.contains("crashed during storage.remove: its worker was killed by SIGSEGV"), crashed.errorMessage)
        XCTAssertTrue(crashed.errorMessage.contains("next call starts a new worker"), crashed.errorMessage)
        // The host (this test process) is alive, and the next call gets a fresh worker.
        XCTAssertTrue(instance.call(.storage, "list", .object([:])).isSuccess)
        XCTAssertEqual(instance.starts, 2)
        XCTAssertNotEqual(instance.workerPID, firstPID)
        XCTAssertEqual(kill(firstPID, 0), -1, "the crashed worker was reaped")
    }

    func testAHangInACallTimesOutAndTheWorkerIsReplaced() throws {
        let temp = try temporaryDirectory()
        let instance = try worker(temp, timeout: 2)
        defer { instance.destroy() }
        let started = ChildProcess.monotonicSeconds()
        let hung = instance.call(.storage, "remove", .object(["name": "hang"]))
        XCTAssertEqual(hung.status, 105)
        XCTAssertTrue(hung.errorMessage.contains("did not answer storage.remove within 2 s"), hung.errorMessage)
        XCTAssertLessThan(ChildProcess.monotonicSeconds() - started, 20)
        XCTAssertTrue(instance.call(.storage, "list", .object([:])).isSuccess)
    }

    func testSemanticsMatchInProcessCalls() throws {
        let temp = try temporaryDirectory()
        let instance = try worker(temp)
        defer { instance.destroy() }
        // Not-supported members, empty payloads and error documents cross unchanged.
        XCTAssertEqual(instance.call(.storage, "create", .object([:])).status, 100)
        XCTAssertEqual(instance.call(.network, "add", .object([:])).status, 100)
        XCTAssertTrue(instance.call(.storage, "list", request: []).isSuccess)
        instance.destroy()
        XCTAssertEqual(instance.call(.storage, "list", .object([:])).status, 50)
    }

    func testEnableWithIsolationProcessRunsTheCExampleInAWorkerWithHostServices() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        let volumes = try temp.subdirectory("volumes")
        let example = "\(Harness.packageRoot)/examples/c-plugin"
        try Harness.compile(["\(example)/dirvol.c", "\(example)/json_min.c"], output: "\(plugins)/dirvol.so")
        // "isolation" in the config file is the host's key; dirvol's own schema forbids unknown keys.
        let config = "\(temp.path)/dirvol.json"
        try Data(#"{"isolation": "process", "base": "\#(volumes)"}"#.utf8).write(to: URL(fileURLWithPath: config))
        let enable = try Harness.paddock(["plugin", "enable", "dirvol", "--config", config], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(enable.status, .exited(0), enable.stderr)
        let record = try StateStore(directory: state).read().plugins["dirvol"]
        XCTAssertEqual(record?.isolation, "process")
        XCTAssertNil(record?.config["isolation"])
        for (op, request) in [("create", #"{"name":"w"}"#), ("mount", #"{"name":"w","id":"a"}"#)] {
            let run = try Harness.paddock(["plugin", "invoke", "dirvol", "storage.\(op)", request], pluginPath: plugins, stateDir: state)
            XCTAssertEqual(run.status, .exited(0), run.stderr + run.stdout)
        }
        XCTAssertTrue(FileSystem.exists("\(volumes)/w"))
        let get = try Harness.paddock(["plugin", "invoke", "dirvol", "storage.get", #"{"name":"w"}"#, "--format", "json"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(((get.json as? [String: Any])?["status"] as? [String: Any])?["mounts"] as? Int, 1, get.stdout)

        let bad = "\(temp.path)/bad.json"
        try Data(#"{"isolation": "sandbox"}"#.utf8).write(to: URL(fileURLWithPath: bad))
        let refused = try Harness.paddock(["plugin", "enable", "dirvol", "--config", bad], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(refused.status, .exited(1))
        XCTAssertTrue(refused.stderr.contains("\"isolation\""), refused.stderr)
    }
}
