import Foundation
import Glibc
import PaddockPosix
import XCTest

/// Paths and helpers shared by the host tests: the built products, the header, temp dirs, cc.
enum Harness {
    /// The package root, from this file's location.
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// Where SwiftPM put the products: beside the running test bundle.
    static let productsDirectory: String = {
        if let explicit = ProcessInfo.processInfo.environment["PADDOCK_BUILD_DIR"] { return explicit }
        let exe = (try? FileSystem.realPath("/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().path
    }()

    static var paddock: String { "\(productsDirectory)/paddock" }
    static var includeDirectory: String { "\(packageRoot)/Sources/PluginABI/include" }
    static var fixturesDirectory: String { "\(packageRoot)/Tests/PaddockHostTests/Fixtures" }

    /// A built Swift driver (`libNAME.so` in the products directory).
    static func swiftPlugin(_ product: String) throws -> String {
        let path = "\(productsDirectory)/lib\(product).so"
        guard FileSystem.exists(path) else {
            throw XCTSkip("""
                \(path) is not built; run `swift build` before `swift test` (the README's test command does)
                """)
        }
        return path
    }

    static func requirePaddock() throws {
        guard FileSystem.exists(paddock) else {
            XCTFail("\(paddock) is not built; run `swift build` before `swift test` (the README's test command does)")
            throw XCTSkip("paddock binary missing")
        }
    }

    /// Compiles C sources into a shared object with the system cc against the header only.
    @discardableResult
    static func compile(_ sources: [String], defines: [String] = [], output: String,
                        extraFlags: [String] = []) throws -> String {
        let arguments = ["-shared", "-fPIC", "-O1", "-I", includeDirectory]
            + defines.map { "-D\($0)" } + extraFlags + ["-o", output] + sources
        let outcome = try ChildProcess.run("/usr/bin/cc", arguments: arguments, timeoutSeconds: 120)
        guard outcome.termination == .exited(0) else {
            throw HarnessError("cc failed for \(output): \(String(decoding: outcome.stderr, as: UTF8.self))")
        }
        return output
    }

    /// Compiles one broken-plugin fixture variant (see Fixtures/broken.c).
    @discardableResult
    static func fixture(_ variant: String, name: String? = nil, into directory: String, file: String? = nil) throws -> String {
        var defines = ["FIXTURE_\(variant)"]
        if let name { defines.append("FIXTURE_NAME=\"\(name)\"") }
        let output = "\(directory)/\(file ?? "\(variant.lowercased()).so")"
        return try compile(["\(fixturesDirectory)/broken.c"], defines: defines, output: output)
    }

    struct Run {
        var status: ChildProcess.Termination
        var stdout: String
        var stderr: String
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(stdout.utf8), options: [.fragmentsAllowed]) }
    }

    /// Runs the real `paddock` binary with a clean plugin path and state dir.
    static func paddock(_ arguments: [String], pluginPath: String?, stateDir: String,
                        environment: [String: String] = [:], stdin: String = "", timeout: Double = 60) throws -> Run {
        try requirePaddock()
        var env = ChildProcess.currentEnvironment()
        env["PADDOCK_STATE_DIR"] = stateDir
        env["HOME"] = "\(stateDir)/home"
        if let pluginPath { env["PADDOCK_PLUGIN_PATH"] = pluginPath } else { env["PADDOCK_PLUGIN_PATH"] = nil }
        for (key, value) in environment { env[key] = value }
        let outcome = try ChildProcess.run(paddock, arguments: arguments, environment: env,
                                           stdin: Array(stdin.utf8), timeoutSeconds: timeout)
        return Run(status: outcome.termination, stdout: String(decoding: outcome.stdout, as: UTF8.self),
                   stderr: String(decoding: outcome.stderr, as: UTF8.self))
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A temporary directory removed when the test ends, also on failure.
final class TemporaryDirectory {
    let path: String

    init(_ label: String = "paddock-test") throws {
        var template = Array("/tmp/\(label).XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SystemError("mkdtemp")
        }
        path = String(cString: made)
        chmod(path, 0o755)
    }

    func subdirectory(_ name: String) throws -> String {
        let sub = "\(path)/\(name)"
        try FileSystem.makeDirectories(sub)
        return sub
    }

    /// Removes the directory and everything in it (also what root-owned tests left there).
    func remove() {
        _ = try? ChildProcess.run("/bin/rm", arguments: ["-rf", path], timeoutSeconds: 60)
    }

    deinit { remove() }
}

extension XCTestCase {
    /// A temp dir whose removal is registered with the test, so it goes even when the test fails.
    func temporaryDirectory(_ label: String = "paddock-test") throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory(label)
        // XCTest keeps test case objects (and their blocks) alive for the whole run, so remove
        // explicitly rather than relying on deinit.
        addTeardownBlock { directory.remove() }
        return directory
    }
}
