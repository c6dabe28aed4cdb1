import Foundation
import PaddockHost
import PaddockPosix
import XCTest

/// State writes are atomic and locked: concurrent `paddock` processes never lose an update, and a
/// writer killed with SIGKILL at any moment leaves a readable, consistent state file.
final class StateConcurrencyTests: XCTestCase {
    func testConcurrentEnablesFromManyProcessesAreAllRecorded() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        let count = 12
        for index in 0..<count {
            try Harness.fixture("GOOD", name: "p\(index)", into: plugins, file: "p\(index).so")
        }
        let config = "\(temp.path)/ok.json"
        try Data(#"{"size": 1}"#.utf8).write(to: URL(fileURLWithPath: config))
        let failures = LockedArray()
        DispatchQueue.concurrentPerform(iterations: count) { index in
            do {
                let run = try Harness.paddock(["plugin", "enable", "p\(index)", "--config", config], pluginPath: plugins, stateDir: state)
                if run.status != .exited(0) { failures.append("p\(index): \(run.stderr)") }
            } catch {
                failures.append("p\(index): \(error)")
            }
        }
        XCTAssertEqual(failures.items, [])
        let recorded = try StateStore(directory: state).read()
        XCTAssertEqual(recorded.plugins.count, count)
        XCTAssertTrue(recorded.plugins.values.allSatisfy(\.enabled))
    }

    func testAWriterKilledMidwayLeavesAReadableState() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        for index in 0..<6 {
            try Harness.fixture("GOOD", name: "k\(index)", into: plugins, file: "k\(index).so")
        }
        let config = "\(temp.path)/ok.json"
        try Data(#"{"size": 1}"#.utf8).write(to: URL(fileURLWithPath: config))
        var env = ChildProcess.currentEnvironment()
        env["PADDOCK_PLUGIN_PATH"] = plugins
        env["PADDOCK_STATE_DIR"] = state
        // Kill enables at staggered moments; after each, the state must parse.
        for round in 0..<12 {
            let index = round % 6
            let script = "\(Harness.paddock) plugin enable k\(index) --config \(config) & pid=$!; sleep 0.0\(round % 10)\(round); kill -9 $pid; wait $pid; exit 0"
            let outcome = try ChildProcess.run("/bin/sh", arguments: ["-c", script], environment: env, timeoutSeconds: 60)
            XCTAssertEqual(outcome.termination, .exited(0))
            XCTAssertNoThrow(try StateStore(directory: state).read(), "round \(round)")
            let strays = try FileSystem.list(state).filter { $0.hasPrefix(".state.json.") }
            for stray in strays { unlink("\(state)/\(stray)") }  // a killed writer may leave its temp file; never the target
        }
        let list = try Harness.paddock(["plugin", "list", "--format", "json"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(list.status, .exited(0), list.stderr)
    }
}

final class LockedArray: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ item: String) { lock.lock(); storage.append(item); lock.unlock() }
    var items: [String] { lock.lock(); defer { lock.unlock() }; return storage }
}
