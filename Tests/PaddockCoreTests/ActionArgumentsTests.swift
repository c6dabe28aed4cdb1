import PaddockCore
import XCTest

/// Converting `paddock plugin call` arguments by an action's signature: every value that fits
/// becomes its C type exactly; everything else is refused with a message naming the argument.
final class ActionArgumentsTests: XCTestCase {
    let setMTU = ExtensionAction(name: "set_mtu", symbol: "vx_set_mtu", signature: [.string, .integer],
                                 description: "", argumentNames: ["IFNAME", "MTU"])

    func action(_ signature: String, names: [String] = []) -> ExtensionAction {
        let letters = try! ExtensionAction.parseSignature(signature).get()
        return ExtensionAction(name: "act", symbol: "act", signature: letters, description: "", argumentNames: names)
    }

    func refusal(_ texts: [String], _ action: ExtensionAction,
                 load: (BufferSource) throws -> [UInt8] = { _ in [] }) -> String {
        do {
            let values = try ActionArguments.convert(texts, for: action, load: load)
            return "accepted \(values)"
        } catch {
            return error.message
        }
    }

    func testWrongArgumentCountsNameTheSignature() {
        XCTAssertEqual(refusal(["eth0"], setMTU), "set_mtu takes 2 arguments (IFNAME:s MTU:i), got 1")
        XCTAssertEqual(refusal(["eth0", "1450", "extra"], setMTU), "set_mtu takes 2 arguments (IFNAME:s MTU:i), got 3")
        XCTAssertEqual(refusal(["x"], action("")), "act takes no arguments, got 1")
        XCTAssertEqual(refusal([], action("f")), "act takes 1 argument (ARG1:f), got 0")
    }

    func testAValidCallConvertsEachLetter() throws {
        let values = try ActionArguments.convert(["eth0", "1450"], for: setMTU)
        XCTAssertEqual(values, [.string("eth0"), .integer(1450)])
        let all = try ActionArguments.convert(["-7", "2.5", "héllo ✓", "raw"], for: action("ifsb"))
        XCTAssertEqual(all, [.integer(-7), .float(2.5), .string("héllo ✓"), .buffer(Array("raw".utf8))])
        XCTAssertEqual(try ActionArguments.convert([], for: action("")), [])
    }

    func testIntegersCoverInt64ExactlyAndRefuseTheRest() throws {
        func int(_ text: String) throws -> ActionValue { try ActionArguments.convert([text], for: action("i"))[0] }
        XCTAssertEqual(try int("9223372036854775807"), .integer(.max))
        XCTAssertEqual(try int("-9223372036854775808"), .integer(.min))
        XCTAssertEqual(try int("+42"), .integer(42))
        XCTAssertEqual(try int("0"), .integer(0))
        XCTAssertEqual(try int("-0"), .integer(0))
        XCTAssertEqual(try int("0x7fffffffffffffff"), .integer(.max))
        XCTAssertEqual(try int("-0x8000000000000000"), .integer(.min))
        XCTAssertEqual(try int("0o755"), .integer(0o755))
        XCTAssertEqual(try int("0b101"), .integer(5))

        let outOfRange = ["9223372036854775808", "-9223372036854775809", "0x8000000000000000",
                          "99999999999999999999999999"]
        for text in outOfRange {
            XCTAssertTrue(refusal([text], action("i")).contains("outside the 64-bit range"), text)
        }
        let notIntegers = ["", "abc", "1.5", "1e3", " 1", "1 ", "--1", "+-1", "0x", "0o8", "0b2", "12abc", "٣", "１"]
        for text in notIntegers {
            XCTAssertTrue(refusal([text], action("i")).contains("is not an integer"), "\(text): \(refusal([text], action("i")))")
        }
        XCTAssertTrue(refusal(["0755"], action("i", names: ["MODE"])).contains("act argument 1 (MODE:i): \"0755\" has a leading zero; write 0o755 for octal"))
    }

    func testFloatsMustBeFiniteNumbers() throws {
        func float(_ text: String) throws -> ActionValue { try ActionArguments.convert([text], for: action("f"))[0] }
        XCTAssertEqual(try float("1.5"), .float(1.5))
        XCTAssertEqual(try float("-2"), .float(-2))
        XCTAssertEqual(try float("6.02e23"), .float(6.02e23))
        XCTAssertEqual(try float("4.9e-324"), .float(.leastNonzeroMagnitude))
        XCTAssertEqual(try float("1.7976931348623157e308"), .float(.greatestFiniteMagnitude))
        guard case .float(let negativeZero) = try float("-0.0") else { return XCTFail() }
        XCTAssertEqual(negativeZero.sign, .minus)
        for text in ["inf", "-infinity", "nan", "NaN", "1e400", "-1e400"] {
            XCTAssertTrue(refusal([text], action("f")).contains("is not a finite number"), text)
        }
        for text in ["", "abc", "1,5", " 1.0", "1.0 ", "0x"] {
            XCTAssertTrue(refusal([text], action("f")).contains("is not a number"), text)
        }
    }

    func testStringsCannotCarryNUL() {
        XCTAssertEqual(refusal(["a\u{0}b"], action("s", names: ["NAME"])),
                       "act argument 1 (NAME:s): the string contains a NUL byte, which a C string cannot carry; pass it as a buffer (b) instead")
        XCTAssertEqual(try ActionArguments.convert([""], for: action("s")), [.string("")])
    }

    func testBufferSourcesAreFileStandardInputOrLiteral() throws {
        XCTAssertEqual(BufferSource(argument: "@/tmp/x"), .file("/tmp/x"))
        XCTAssertEqual(BufferSource(argument: "-"), .standardInput)
        XCTAssertEqual(BufferSource(argument: "@@handle"), .literal(Array("@handle".utf8)))
        XCTAssertEqual(BufferSource(argument: "plain"), .literal(Array("plain".utf8)))
        XCTAssertEqual(BufferSource(argument: ""), .literal([]))

        var asked: [BufferSource] = []
        let values = try ActionArguments.convert(["@data.bin", "-", "text"], for: action("bbb")) { source in
            asked.append(source)
            switch source {
            case .file: return [0, 1, 0, 255]
            case .standardInput: return [9]
            case .literal(let bytes): return bytes
            }
        }
        XCTAssertEqual(values, [.buffer([0, 1, 0, 255]), .buffer([9]), .buffer(Array("text".utf8))])
        XCTAssertEqual(asked, [.file("data.bin"), .standardInput, .literal(Array("text".utf8))])
    }

    func testBufferRefusalsNameTheArgument() {
        struct Unreadable: Error, CustomStringConvertible { var description: String { "No such file or directory" } }
        XCTAssertEqual(refusal(["@/nope"], action("b", names: ["DATA"])) { _ in throw Unreadable() },
                       "act argument 1 (DATA:b): cannot read /nope: No such file or directory")
        XCTAssertTrue(refusal(["-", "-"], action("bb")).contains("only one buffer argument can read standard input"))
        // A string argument "-" is just the text "-": only buffers read standard input.
        XCTAssertEqual(try ActionArguments.convert(["-", "-"], for: action("sb")) { _ in [7] }, [.string("-"), .buffer([7])])
    }

    func testTheCountIsCheckedBeforeAnyBufferIsRead() {
        var reads = 0
        _ = refusal(["@a", "@b", "@c"], action("bb")) { _ in reads += 1; return [] }
        XCTAssertEqual(reads, 0)
    }

    func testManifestArgumentNamesMustMatchTheSignature() throws {
        func manifest(_ actions: String) -> String {
            #"{"name":"vx","version":"1","kinds":["network"],"abi":"1.0","description":"d","license":"MIT","actions":\#(actions)}"#
        }
        let parsed = try PluginManifest.parse(Array(manifest(
            #"[{"name":"set_mtu","symbol":"s","signature":"si","arguments":["IFNAME","MTU"]}]"#).utf8))
        XCTAssertEqual(parsed.actions.first?.usage, "IFNAME:s MTU:i")
        let cases: [(String, String)] = [
            (#"[{"name":"a","symbol":"s","signature":"si","arguments":["ONE"]}]"#, "names 1 arguments but the signature has 2"),
            (#"[{"name":"a","symbol":"s","signature":"s","arguments":[5]}]"#, "array of names"),
            (#"[{"name":"a","symbol":"s","signature":"s","arguments":["TWO WORDS"]}]"#, "array of names"),
            (#"[{"name":"a","symbol":"s","signature":""},{"name":"a","symbol":"t","signature":""}]"#, "action \"a\" twice"),
            (#"[{"name":"a","symbol":"s","signature":"iiiiiiiiiiiiiiiii"}]"#, "at most 16"),
        ]
        for (actions, expected) in cases {
            XCTAssertThrowsError(try PluginManifest.parse(Array(manifest(actions).utf8)), actions) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(actions): \(error)")
            }
        }
    }
}
