import Foundation
import Glibc
import PaddockPosix
import XCTest

/// dirvol built and enabled in a fresh state directory: the storage driver the adapter tests use.
struct DirvolFixture {
    let temp: TemporaryDirectory
    let plugins: String
    let state: String
    let volumes: String

    init(_ test: XCTestCase, label: String = "pdvol") throws {
        temp = try test.temporaryDirectory("\(label)-\(getpid())")
        plugins = try temp.subdirectory("plugins")
        state = try temp.subdirectory("state")
        volumes = try temp.subdirectory("volumes")
        let example = "\(Harness.packageRoot)/examples/c-plugin"
        try Harness.compile(["\(example)/dirvol.c", "\(example)/json_min.c"], output: "\(plugins)/dirvol.so")
        let config = "\(temp.path)/dirvol.json"
        try Data(#"{"base": "\#(volumes)"}"#.utf8).write(to: URL(fileURLWithPath: config))
        let enable = try paddock(["plugin", "enable", "dirvol", "--config", config])
        guard enable.status == .exited(0) else { throw HarnessError("enable dirvol failed: \(enable.stderr)") }
    }

    func paddock(_ arguments: [String], timeout: Double = 60) throws -> Harness.Run {
        try Harness.paddock(arguments, pluginPath: plugins, stateDir: state, timeout: timeout)
    }

    /// The environment a paddock child of this fixture runs with.
    var environment: [String: String] {
        var env = ChildProcess.currentEnvironment()
        env["PADDOCK_STATE_DIR"] = state
        env["PADDOCK_PLUGIN_PATH"] = plugins
        env["HOME"] = "\(state)/home"
        return env
    }
}

/// A process left running for the test (a server, a process holding a directory busy), killed
/// with its process group when the test ends.
final class VolumeTestProcess: @unchecked Sendable {
    let process = Process()
    let output: String

    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, output: String,
         currentDirectory: String? = nil) throws {
        self.output = output
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var log: String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits up to `seconds` for the exit; answers the exit status, or nil.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM, seconds: Double = 15) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(pid, signal)
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }
}

enum VolumeTestWait {
    /// Polls `condition` every 50 ms until it holds or `seconds` pass.
    static func until(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }
}

enum VolumeTestMounts {
    static func isMountPoint(_ path: String) -> Bool {
        let table = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        return table.split(separator: "\n").contains { $0.split(separator: " ").dropFirst(4).first.map(String.init) == path }
    }

    /// Lazily unmounts whatever is mounted at `path` (teardown after a failure).
    static func release(_ path: String) {
        while isMountPoint(path) { if umount2(path, Int32(MNT_DETACH)) != 0 { break } }
    }
}

func requireRootForVolumes() throws {
    guard getuid() == 0 else { throw XCTSkip("needs root for bind mounts (running as uid \(getuid()))") }
}
