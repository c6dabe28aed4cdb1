import Foundation
import Glibc
import PaddockPosix
import XCTest

/// Detached ed25519 signatures: trusted ones pass; truncated, foreign, untrusted and swapped ones
/// are refused with the reason; --require-signatures refuses unsigned plugins.
final class SignatureTests: XCTestCase {
    struct Setup {
        var plugins: String
        var state: String
        var config: String
        var key: String
        var plugin: String
    }

    func setUp(_ temp: TemporaryDirectory) throws -> Setup {
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        let config = try temp.subdirectory("config")
        let keys = try temp.subdirectory("keys")
        let plugin = try Harness.fixture("GOOD", name: "signed", into: plugins)
        let keygen = try Harness.paddock(["plugin", "keygen", "\(keys)/ops"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(keygen.status, .exited(0), keygen.stderr)
        XCTAssertEqual(try FileSystem.status("\(keys)/ops.key").mode, 0o600)
        try FileSystem.makeDirectories("\(config)/keys")
        try Data(contentsOf: URL(fileURLWithPath: "\(keys)/ops.pub")).write(to: URL(fileURLWithPath: "\(config)/keys/ops.pub"))
        return Setup(plugins: plugins, state: state, config: config, key: "\(keys)/ops.key", plugin: plugin)
    }

    func list(_ s: Setup, _ extra: [String] = []) throws -> [[String: Any]] {
        let run = try Harness.paddock(["plugin", "list", "--format", "json", "--config-dir", s.config] + extra,
                                      pluginPath: s.plugins, stateDir: s.state)
        XCTAssertEqual(run.status, .exited(0), run.stderr)
        return try XCTUnwrap(run.json as? [[String: Any]], run.stdout)
    }

    func row(_ rows: [[String: Any]], _ path: String) -> (status: String, reason: String) {
        let found = rows.first { ($0["path"] as? String) == path }
        return (found?["status"] as? String ?? "missing", found?["reason"] as? String ?? "")
    }

    func sign(_ s: Setup, _ file: String, key: String? = nil) throws {
        let run = try Harness.paddock(["plugin", "sign", file, "--key", key ?? s.key], pluginPath: s.plugins, stateDir: s.state)
        XCTAssertEqual(run.status, .exited(0), run.stderr)
    }

    func testSignedPluginsLoadAndUnsignedOnesAreRefusedWhenRequired() throws {
        let temp = try temporaryDirectory()
        let s = try setUp(temp)
        let unsigned = try Harness.fixture("GOOD", name: "unsigned", into: s.plugins, file: "unsigned.so")
        try sign(s, s.plugin)
        XCTAssertTrue(FileSystem.exists(s.plugin + ".sig"))
        var rows = try list(s)
        XCTAssertEqual(row(rows, s.plugin).status, "disabled")
        XCTAssertEqual(row(rows, unsigned).status, "disabled", "unsigned is fine unless signatures are required")
        rows = try list(s, ["--require-signatures"])
        XCTAssertEqual(row(rows, s.plugin).status, "disabled")
        XCTAssertEqual(row(rows, unsigned).status, "error")
        XCTAssertTrue(row(rows, unsigned).reason.contains("unsigned, and signatures are required"), row(rows, unsigned).reason)
        // The setting in paddock.json has the same effect as the flag.
        try Data(#"{"require_signatures": true}"#.utf8).write(to: URL(fileURLWithPath: "\(s.config)/paddock.json"))
        rows = try list(s)
        XCTAssertEqual(row(rows, unsigned).status, "error")
        let enable = try Harness.paddock(["plugin", "enable", "unsigned", "--config-dir", s.config], pluginPath: s.plugins, stateDir: s.state)
        XCTAssertEqual(enable.status, .exited(1))
        XCTAssertTrue(enable.stderr.contains("unsigned"), enable.stderr)
    }

    func testBadSignaturesAreRefusedWithTheirReason() throws {
        let temp = try temporaryDirectory()
        let s = try setUp(temp)
        let other = try Harness.fixture("GOOD", name: "other", into: s.plugins, file: "other.so")
        let swapped = try Harness.fixture("GOOD", name: "swapped", into: s.plugins, file: "swapped.so")
        let truncated = try Harness.fixture("GOOD", name: "truncated", into: s.plugins, file: "truncated.so")
        let stranger = try Harness.fixture("GOOD", name: "stranger", into: s.plugins, file: "stranger.so")
        for file in [s.plugin, other, swapped, truncated] { try sign(s, file) }
        // A signature for another file.
        try Data(contentsOf: URL(fileURLWithPath: s.plugin + ".sig")).write(to: URL(fileURLWithPath: other + ".sig"))
        // The plugin swapped after signing: another build of it (here: the same code plus a trailing
        // payload, which the loader ignores) put in its place.
        var tampered = try FileSystem.read(swapped)
        tampered += Array("\u{0}payload".utf8)
        try Data(tampered).write(to: URL(fileURLWithPath: swapped + ".new"))
        XCTAssertEqual(rename(swapped + ".new", swapped), 0)
        // A truncated signature file.
        let text = try String(contentsOfFile: truncated + ".sig", encoding: .utf8)
        try Data(text.prefix(text.count / 2).utf8).write(to: URL(fileURLWithPath: truncated + ".sig"))
        // A signature by a key nobody trusts.
        _ = try Harness.paddock(["plugin", "keygen", "\(temp.path)/mallory"], pluginPath: s.plugins, stateDir: s.state)
        try sign(s, stranger, key: "\(temp.path)/mallory.key")

        let rows = try list(s)
        XCTAssertEqual(row(rows, s.plugin).status, "disabled")
        let expectations = [
            (other, "does not match its signature"),
            (swapped, "does not match its signature"),
            (truncated, "malformed"),
            (stranger, "untrusted key"),
        ]
        for (file, reason) in expectations {
            XCTAssertEqual(row(rows, file).status, "error", file)
            XCTAssertTrue(row(rows, file).reason.contains(reason), "\(file): \(row(rows, file).reason)")
            XCTAssertTrue(row(rows, file).reason.contains(file + ".sig"), "names the signature file")
        }
        // A signature file altered by hand no longer verifies.
        var lines = try String(contentsOfFile: s.plugin + ".sig", encoding: .utf8).split(separator: "\n").map(String.init)
        lines[3] = "signature: " + Data(repeating: 7, count: 64).base64EncodedString()
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: s.plugin + ".sig"))
        XCTAssertTrue(row(try list(s), s.plugin).reason.contains("signature does not verify"))
    }

    func testSigningRefusesWhatIsNotAPluginOrNotAKey() throws {
        let temp = try temporaryDirectory()
        let s = try setUp(temp)
        _ = FileManager.default.createFile(atPath: "\(temp.path)/junk.so", contents: Data("junk".utf8))
        let junk = try Harness.paddock(["plugin", "sign", "\(temp.path)/junk.so", "--key", s.key], pluginPath: s.plugins, stateDir: s.state)
        XCTAssertEqual(junk.status, .exited(1))
        XCTAssertTrue(junk.stderr.contains("is not a plugin"), junk.stderr)
        let badKey = "\(temp.path)/bad.key"
        try Data("not a key\n".utf8).write(to: URL(fileURLWithPath: badKey))
        let run = try Harness.paddock(["plugin", "sign", s.plugin, "--key", badKey], pluginPath: s.plugins, stateDir: s.state)
        XCTAssertEqual(run.status, .exited(1))
        XCTAssertTrue(run.stderr.contains("base64"), run.stderr)
        XCTAssertFalse(FileSystem.exists(s.plugin + ".sig"))
    }
}
