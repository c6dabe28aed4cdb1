import Foundation
import Glibc
import PaddockPosix
import XCTest

/// `paddock plugin call` end to end through the real binary: a C plugin written against the header
/// only (Fixtures/actions.c) answers exactly what each extension action received, so these tests
/// prove the values crossed libffi intact, and its marker file proves refused calls never ran.
final class ExtensionActionTests: XCTestCase {
    struct Recorder {
        var plugins: String
        var state: String
        /// Every entry into the plugin appends a line here: "create", then the action's name.
        var log: String
        var temp: TemporaryDirectory
    }

    func recorder(enable: Bool = true) throws -> Recorder {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        try Harness.compile(["\(Harness.fixturesDirectory)/actions.c"], output: "\(plugins)/recorder.so",
                            extraFlags: ["-Wall", "-Wextra", "-Werror"])
        let recorder = Recorder(plugins: plugins, state: state, log: "\(temp.path)/entered.log", temp: temp)
        if enable {
            let config = "\(temp.path)/recorder.json"
            try Data(#"{"log": "\#(recorder.log)"}"#.utf8).write(to: URL(fileURLWithPath: config))
            let run = try Harness.paddock(["plugin", "enable", "recorder", "--config", config], pluginPath: plugins, stateDir: state)
            XCTAssertEqual(run.status, .exited(0), run.stderr)
        }
        return recorder
    }

    func call(_ recorder: Recorder, _ arguments: [String], stdin: String = "") throws -> Harness.Run {
        try Harness.paddock(["plugin", "call", "--format", "json", "recorder"] + arguments,
                            pluginPath: recorder.plugins, stateDir: recorder.state, stdin: stdin)
    }

    /// Calls an action that must succeed and returns what the plugin says it received.
    func received(_ recorder: Recorder, _ arguments: [String], stdin: String = "",
                  file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let run = try call(recorder, arguments, stdin: stdin)
        XCTAssertEqual(run.status, .exited(0), "\(arguments): \(run.stderr)", file: file, line: line)
        let answer = try XCTUnwrap(run.json as? [String: Any], "\(arguments): \(run.stdout)", file: file, line: line)
        XCTAssertEqual(answer["instance_ok"] as? Bool, true, "the action got the instance create made", file: file, line: line)
        return answer
    }

    func entries(_ recorder: Recorder) -> [String] {
        guard let text = try? String(contentsOfFile: recorder.log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    static func bits(_ text: String) -> String {
        let value = Double(text)!
        let hex = String(value.bitPattern, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    // MARK: values cross exactly

    func testIntegersCrossExactlyIncludingNegativesAndTheInt64Extremes() throws {
        let recorder = try recorder()
        let cases: [([String], String, String)] = [
            (["-1", "1"], "-1", "1"),
            (["-9223372036854775808", "9223372036854775807"], "-9223372036854775808", "9223372036854775807"),
            (["0x7fffffffffffffff", "-0o17"], "9223372036854775807", "-15"),
            (["0", "-42"], "0", "-42"),
        ]
        for (arguments, a, b) in cases {
            let answer = try received(recorder, ["ints"] + arguments)
            XCTAssertEqual(answer["a"] as? String, a, "\(arguments)")
            XCTAssertEqual(answer["b"] as? String, b, "\(arguments)")
        }
        XCTAssertEqual(entries(recorder), ["create", "ints", "create", "ints", "create", "ints", "create", "ints"])
    }

    func testDoublesCrossBitForBit() throws {
        let recorder = try recorder()
        let pairs = [("-0.0", "3.141592653589793"), ("4.9e-324", "1.7976931348623157e308"), ("-2.5e-300", "1")]
        for (x, y) in pairs {
            let answer = try received(recorder, ["floats", x, y])
            XCTAssertEqual(answer["x"] as? String, Self.bits(x), x)
            XCTAssertEqual(answer["y"] as? String, Self.bits(y), y)
        }
    }

    func testStringsCrossAsTheirUTF8BytesNULTerminated() throws {
        let recorder = try recorder()
        // "-" and "@file" are plain text for a string: only buffers read standard input or files.
        for text in ["héllo ✓ 🚀", "", "-", "@not-a-file", "naïve\ttab"] {
            let answer = try received(recorder, ["text", text])
            XCTAssertEqual(answer["hex"] as? String, Self.hex(text.utf8), text)
            XCTAssertEqual(answer["len"] as? Int, text.utf8.count, "strlen sees the whole string: \(text)")
        }
        // After `--` even paddock's own option names are arguments of the action.
        let option = try received(recorder, ["text", "--", "--format"])
        XCTAssertEqual(option["hex"] as? String, Self.hex("--format".utf8))
    }

    func testBuffersCrossWithEmbeddedNULsFromAFileStandardInputOrTheText() throws {
        let recorder = try recorder()
        let everyByte = (0...255).map(UInt8.init) + [0, 0]
        let file = "\(recorder.temp.path)/blob.bin"
        try Data(everyByte).write(to: URL(fileURLWithPath: file))
        let fromFile = try received(recorder, ["blob", "@\(file)"])
        XCTAssertEqual(fromFile["len"] as? Int, everyByte.count)
        XCTAssertEqual(fromFile["hex"] as? String, Self.hex(everyByte))

        let fromStdin = try received(recorder, ["blob", "-"], stdin: "a\u{0}b\u{0}")
        XCTAssertEqual(fromStdin["hex"] as? String, "61006200")

        let literal = try received(recorder, ["blob", "@@at sign"])
        XCTAssertEqual(literal["hex"] as? String, Self.hex("@at sign".utf8))

        let empty = try received(recorder, ["blob", ""])
        XCTAssertEqual(empty["len"] as? Int, 0)
        XCTAssertEqual(empty["null"] as? Bool, false, "an empty buffer still has a valid pointer")
    }

    func testEveryLetterInterleavedAndMoreArgumentsThanRegistersCross() throws {
        let recorder = try recorder()
        let mixed = try received(recorder, ["mixed", "1.5", "-3", "bytes\u{7f}", "ü", "-2.25", "9223372036854775807"])
        XCTAssertEqual(mixed["f1"] as? String, Self.bits("1.5"))
        XCTAssertEqual(mixed["i1"] as? String, "-3")
        XCTAssertEqual(mixed["data"] as? String, Self.hex("bytes\u{7f}".utf8))
        XCTAssertEqual(mixed["len"] as? Int, 6)
        XCTAssertEqual(mixed["s"] as? String, Self.hex("ü".utf8))
        XCTAssertEqual(mixed["f2"] as? String, Self.bits("-2.25"))
        XCTAssertEqual(mixed["i2"] as? String, "9223372036854775807")

        // 7 integers + instance + result overflow the 6 integer registers; 9 doubles the 8 vector ones.
        let ints = ["1", "-2", "3", "-4", "5", "-6", "-9223372036854775808"]
        let floats = ["0.5", "-1.25", "2", "1e-10", "-0.0", "6.02e23", "7", "-8.5", "9.75"]
        let spill = try received(recorder, ["spill"] + ints + floats)
        XCTAssertEqual(spill["ints"] as? [String], ints)
        XCTAssertEqual(spill["floats"] as? [String], floats.map(Self.bits))
    }

    // MARK: refusals

    func testTooFewTooManyOrWronglyTypedArgumentsAreRefusedBeforeThePluginRuns() throws {
        let recorder = try recorder()
        let cases: [([String], String)] = [
            (["ints", "1"], "ints takes 2 arguments (A:i B:i), got 1"),
            (["ints", "1", "2", "3"], "ints takes 2 arguments (A:i B:i), got 3"),
            (["silent", "extra"], "silent takes no arguments, got 1"),
            (["text"], "text takes 1 argument (TEXT:s), got 0"),
            (["ints", "one", "2"], "ints argument 1 (A:i): \"one\" is not an integer"),
            (["ints", "1.5", "2"], "ints argument 1 (A:i): \"1.5\" is not an integer"),
            (["ints", "1", "9223372036854775808"], "ints argument 2 (B:i): 9223372036854775808 is outside the 64-bit range"),
            (["ints", "-9223372036854775809", "0"], "is outside the 64-bit range"),
            (["ints", "0755", "0"], "has a leading zero; write 0o755 for octal"),
            (["floats", "inf", "1"], "floats argument 1 (X:f): \"inf\" is not a finite number"),
            (["floats", "1", "nan"], "floats argument 2 (Y:f): \"nan\" is not a finite number"),
            (["floats", "1e999", "1"], "is not a finite number"),
            (["floats", "one", "1"], "\"one\" is not a number"),
            (["blob", "@\(recorder.temp.path)/absent.bin"], "blob argument 1 (DATA:b): cannot read \(recorder.temp.path)/absent.bin"),
            (["mixed", "1", "2", "x", "y", "3"], "mixed takes 6 arguments (ARG1:f ARG2:i ARG3:b ARG4:s ARG5:f ARG6:i), got 5"),
        ]
        for (arguments, message) in cases {
            let run = try call(recorder, arguments)
            XCTAssertEqual(run.status, .exited(1), "\(arguments)")
            XCTAssertTrue(run.stderr.contains(message), "\(arguments): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains("nothing was called"), "\(arguments): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains("usage: paddock plugin call recorder \(arguments[0])"), run.stderr)
            XCTAssertEqual(run.stdout, "", "no result is printed for a refused call")
        }
        XCTAssertEqual(entries(recorder), [], "the plugin was not even created, let alone called")
        // The marker works: an accepted call shows up in it.
        _ = try received(recorder, ["ints", "1", "2"])
        XCTAssertEqual(entries(recorder), ["create", "ints"])
    }

    func testAFailingActionExitsOneWithItsStatusAndErrorDocument() throws {
        let recorder = try recorder()
        let run = try call(recorder, ["fail", "104"])
        XCTAssertEqual(run.status, .exited(1))
        let document = try XCTUnwrap(run.json as? [String: Any], run.stdout)
        XCTAssertEqual(document["code"] as? Int, 104)
        XCTAssertEqual(document["msg"] as? String, "asked to fail")
        XCTAssertEqual(document["details"] as? String, "recorder_fail(104)")

        let silent = try call(recorder, ["silent"])
        XCTAssertEqual(silent.status, .exited(0), silent.stderr)
        XCTAssertEqual(silent.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "{}", "no result reads as {}")
    }

    func testAnActionWhoseSymbolIsMissingIsNamedWithPluginActionAndSymbol() throws {
        let recorder = try recorder()
        let run = try call(recorder, ["ghost"])
        XCTAssertEqual(run.status, .exited(1))
        for part in ["plugin recorder", "action ghost", "symbol recorder_not_exported", "\(recorder.plugins)/recorder.so does not export it",
                     "hint: export recorder_not_exported"] {
            XCTAssertTrue(run.stderr.contains(part), "\(part): \(run.stderr)")
        }
        XCTAssertEqual(entries(recorder), ["create"], "the instance was made, no function was entered")
    }

    func testAMalformedActionSignatureListsThePluginAsErrorWithTheReason() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        try Harness.compile(["\(Harness.fixturesDirectory)/actions.c"], defines: ["FIXTURE_BAD_SIGNATURE"],
                            output: "\(plugins)/badsig.so")
        let list = try Harness.paddock(["plugin", "list", "--format", "json"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(list.status, .exited(0), list.stderr)
        let row = try XCTUnwrap((list.json as? [[String: Any]])?.first)
        XCTAssertEqual(row["status"] as? String, "error")
        let reason = row["reason"] as? String ?? ""
        XCTAssertTrue(reason.contains("manifest action \"shift\": action signature \"iq\" has 'q' at position 2"), reason)
        XCTAssertTrue(reason.contains("use i (integer), f (float), s (string) or b (buffer)"), reason)

        let call = try Harness.paddock(["plugin", "call", "badsig", "shift", "1", "2"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(call.status, .exited(1))
        XCTAssertTrue(call.stderr.contains("cannot be used: manifest action \"shift\""), call.stderr)
    }

    func testWithoutAnActionTheActionsAreListedFromTheFileWithTheirSignatures() throws {
        let recorder = try recorder(enable: false)
        let json = try call(recorder, [])
        XCTAssertEqual(json.status, .exited(0), json.stderr)
        let actions = try XCTUnwrap(json.json as? [[String: Any]], json.stdout)
        XCTAssertEqual(actions.compactMap { $0["name"] as? String },
                       ["ints", "floats", "text", "blob", "mixed", "spill", "fail", "silent", "ghost"])
        let blob = try XCTUnwrap(actions.first { $0["name"] as? String == "blob" })
        XCTAssertEqual(blob["signature"] as? String, "b")
        XCTAssertEqual(blob["arguments"] as? [String], ["DATA"])
        XCTAssertEqual(blob["c_type"] as? String,
                       "paddock_status recorder_blob(void *instance, const void *data, size_t data_len, paddock_buffer *result)")

        let table = try Harness.paddock(["plugin", "call", "recorder"], pluginPath: recorder.plugins, stateDir: recorder.state)
        XCTAssertEqual(table.status, .exited(0), table.stderr)
        XCTAssertTrue(table.stdout.contains("ACTION"), table.stdout)
        XCTAssertTrue(table.stdout.range(of: #"ints +A:i B:i +two integers"#, options: .regularExpression) != nil, table.stdout)
        XCTAssertEqual(entries(recorder), [], "listing loads nothing")
    }

    func testAnUnknownActionOrADisabledPluginIsRefusedSayingWhatToDo() throws {
        let recorder = try recorder(enable: false)
        let disabled = try call(recorder, ["ints", "1", "2"])
        XCTAssertEqual(disabled.status, .exited(1))
        XCTAssertTrue(disabled.stderr.contains("plugin recorder is not enabled"), disabled.stderr)
        XCTAssertTrue(disabled.stderr.contains("paddock plugin enable recorder"), disabled.stderr)

        let unknown = try call(recorder, ["nope"])
        XCTAssertEqual(unknown.status, .exited(1))
        XCTAssertTrue(unknown.stderr.contains("plugin recorder has no action nope"), unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("its actions are ints, floats, text"), unknown.stderr)
        XCTAssertEqual(entries(recorder), [])
    }

    // MARK: the example plugins' actions

    func testDirvolSetModeChangesTheVolumeDirectoryMode() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        let volumes = try temp.subdirectory("volumes")
        let example = "\(Harness.packageRoot)/examples/c-plugin"
        try Harness.compile(["\(example)/dirvol.c", "\(example)/json_min.c"], output: "\(plugins)/dirvol.so",
                            extraFlags: ["-Wall", "-Wextra", "-Werror"])
        let config = "\(temp.path)/dirvol.json"
        try Data(#"{"base": "\#(volumes)"}"#.utf8).write(to: URL(fileURLWithPath: config))
        XCTAssertEqual(try Harness.paddock(["plugin", "enable", "dirvol", "--config", config], pluginPath: plugins, stateDir: state).status, .exited(0))
        XCTAssertEqual(try Harness.paddock(["plugin", "invoke", "dirvol", "storage.create", #"{"name":"data"}"#],
                                           pluginPath: plugins, stateDir: state).status, .exited(0))
        func setMode(_ arguments: String...) throws -> Harness.Run {
            try Harness.paddock(["plugin", "call", "--format", "json", "dirvol", "set_mode"] + arguments, pluginPath: plugins, stateDir: state)
        }
        func mode(_ path: String) -> mode_t {
            var st = stat()
            return lstat(path, &st) == 0 ? st.st_mode & 0o7777 : 0
        }
        let run = try setMode("data", "0o700")
        XCTAssertEqual(run.status, .exited(0), run.stderr)
        XCTAssertEqual(run.json as? [String: String], ["name": "data", "mode": "0700"])
        XCTAssertEqual(mode("\(volumes)/data"), 0o700)
        XCTAssertEqual(try setMode("data", "0x1ed").status, .exited(0))
        XCTAssertEqual(mode("\(volumes)/data"), 0o755)

        let refusals: [([String], Int)] = [(["../escape", "0o700"], 7), (["a/b", "0o700"], 7), (["missing", "0o700"], 3),
                                           (["data", "0o7777"], 7), (["data", "-1"], 7)]
        for (arguments, code) in refusals {
            let refused = try Harness.paddock(["plugin", "call", "--format", "json", "dirvol", "set_mode"] + arguments,
                                              pluginPath: plugins, stateDir: state)
            XCTAssertEqual(refused.status, .exited(1), "\(arguments)")
            XCTAssertEqual((refused.json as? [String: Any])?["code"] as? Int, code, "\(arguments): \(refused.stdout)")
        }
        let ambiguous = try setMode("data", "0700")
        XCTAssertTrue(ambiguous.stderr.contains("write 0o700 for octal"), ambiguous.stderr)
        XCTAssertEqual(mode("\(volumes)/data"), 0o755, "refused calls change nothing")
    }

    func testHostLocalListsAndReleasesLeases() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        symlink(try Harness.swiftPlugin("HostLocal"), "\(plugins)/libHostLocal.so")
        let config = "\(temp.path)/ipam.json"
        try Data(#"{"subnet": "198.18.9.0/24"}"#.utf8).write(to: URL(fileURLWithPath: config))
        let enable = try Harness.paddock(["plugin", "enable", "host-local", "--config", config], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(enable.status, .exited(0), enable.stderr)
        func paddock(_ arguments: String...) throws -> Harness.Run {
            try Harness.paddock(["plugin"] + arguments + ["--format", "json"], pluginPath: plugins, stateDir: state)
        }
        for container in ["c1", "c2", "c3"] {
            XCTAssertEqual(try paddock("invoke", "host-local", "network.add", #"{"containerId":"\#(container)","ifName":"eth0"}"#).status, .exited(0))
        }
        func leases() throws -> [[String: String]] {
            let run = try paddock("call", "host-local", "leases")
            XCTAssertEqual(run.status, .exited(0), run.stderr)
            return try XCTUnwrap((run.json as? [String: Any])?["leases"] as? [[String: String]], run.stdout)
        }
        XCTAssertEqual(try leases(), [["address": "198.18.9.2", "owner": "c1/eth0"], ["address": "198.18.9.3", "owner": "c2/eth0"],
                                      ["address": "198.18.9.4", "owner": "c3/eth0"]])

        let release = try paddock("call", "host-local", "release", "198.18.9.3")
        XCTAssertEqual(release.status, .exited(0), release.stderr)
        XCTAssertEqual(release.json as? [String: String], ["address": "198.18.9.3", "owner": "c2/eth0"])
        XCTAssertEqual(try leases().map { $0["address"] }, ["198.18.9.2", "198.18.9.4"])

        let again = try paddock("call", "host-local", "release", "198.18.9.3")
        XCTAssertEqual(again.status, .exited(1))
        XCTAssertEqual((again.json as? [String: Any])?["code"] as? Int, 101)
        let bad = try paddock("call", "host-local", "release", "not-an-address")
        XCTAssertEqual((bad.json as? [String: Any])?["code"] as? Int, 7)

        // The freed address is leased again; the released owner's record is gone.
        let add = try paddock("invoke", "host-local", "network.add", #"{"containerId":"c4","ifName":"eth0"}"#)
        XCTAssertTrue(add.stdout.contains("198.18.9.3/24"), add.stdout)
        XCTAssertEqual(try paddock("invoke", "host-local", "network.check", #"{"containerId":"c2","ifName":"eth0"}"#).status, .exited(1))
    }
}
