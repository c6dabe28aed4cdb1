import Foundation
import XCTest

@testable import PaddockCore
@testable import PaddockJSON

final class JSONValueTests: XCTestCase {
    // MARK: Parsing valid documents

    func testValidDocumentsParseToExpectedValues() throws {
        let cases: [(text: String, expected: JSONValue)] = [
            ("null", .null),
            ("true", true),
            ("false", false),
            ("0", 0),
            ("-0", .number(-0.0)),
            ("42", 42),
            ("-17", -17),
            ("3.25", 3.25),
            ("1e3", 1000),
            ("1E+2", 100),
            ("2.5e-3", 0.0025),
            ("12345678901234567890", .number(Double("12345678901234567890")!)),
            ("\"\"", ""),
            ("\"plain\"", "plain"),
            ("\"caf\u{e9} \u{1F600}\"", "caf\u{e9} \u{1F600}"),
            (#""\" \\ \/ \b \f \n \r \t""#, "\" \\ / \u{8} \u{c} \n \r \t"),
            (#""\u00e9\u00C9""#, "\u{e9}\u{c9}"),
            (#""\ud83d\ude00""#, "\u{1F600}"),
            (#""\u0000""#, "\u{0}"),
            ("[]", []),
            ("{}", [:]),
            (" \t\r\n[1, \"two\", null, [true]] \n", [1, "two", nil, [true]]),
            (#"{"a": {"b": [1, {"c": null}]}, "d": -1.5}"#, ["a": ["b": [1, ["c": nil]]], "d": -1.5]),
        ]
        for (text, expected) in cases {
            let parsed = try JSONValue(parsing: text)
            XCTAssertEqual(parsed, expected, "parsing \(text)")
        }
    }

    func testValidDocumentsRoundTripThroughSerialization() throws {
        let documents = [
            #"{"name":"bridge0","mtu":1500,"tags":["a","b"],"ratio":0.125,"enabled":true,"parent":null}"#,
            #"[1,-2,3.5,1e+100,5e-324,"\u0001\n\"\\",{"":[]},[[{}]]]"#,
            #"{"unicode":"日本語 ✓ 😀","escaped":"\u001f"}"#,
        ]
        for text in documents {
            let value = try JSONValue(parsing: text)
            for pretty in [false, true] {
                let again = try JSONValue(parsing: value.serialized(pretty: pretty))
                XCTAssertEqual(again, value, "round trip of \(text), pretty: \(pretty)")
            }
        }
    }

    func testCompactSerializationIsCanonical() throws {
        let text = #"{ "b" : [ 1 , 2.50 , true ] , "a" : { "z" : null , "y" : "s" } }"#
        XCTAssertEqual(try JSONValue(parsing: text).serialized(), #"{"a":{"y":"s","z":null},"b":[1,2.5,true]}"#)
    }

    func testDuplicateKeysKeepTheLastValue() throws {
        XCTAssertEqual(try JSONValue(parsing: #"{"a":1,"b":2,"a":3}"#), ["a": 3, "b": 2])
    }

    func testParsingFromByteCollections() throws {
        let bytes = Array(#"{"k":[1,2]}"#.utf8)
        let expected: JSONValue = ["k": [1, 2]]
        XCTAssertEqual(try JSONValue(parsing: bytes), expected)
        XCTAssertEqual(try JSONValue(parsing: Data(bytes)), expected)
        XCTAssertEqual(try JSONValue(parsing: bytes[...]), expected)
        // Not contiguous: exercises the copying path.
        XCTAssertEqual(try JSONValue(parsing: bytes.lazy.map { $0 }), expected)
    }

    func testNestingUpToTheLimitIsAccepted() throws {
        let text = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        XCTAssertNoThrow(try JSONValue(parsing: text))
    }

    // MARK: Parsing invalid documents

    func testInvalidDocumentsReportOffsetAndReason() {
        let cases: [(name: String, bytes: [UInt8], offset: Int, message: String)] = [
            ("empty input", [], 0, "unexpected end of input, expected a JSON value"),
            ("only whitespace", Array("  \n".utf8), 3, "unexpected end of input, expected a JSON value"),
            ("trailing comma in array", Array("[1,2,]".utf8), 4, "trailing comma before ']' is not allowed"),
            ("trailing comma in object", Array(#"{"a":1 , }"#.utf8), 7, "trailing comma before '}' is not allowed"),
            ("leading zero", Array("[01]".utf8), 1, "leading zeros are not allowed in numbers"),
            ("negative leading zero", Array("-012".utf8), 1, "leading zeros are not allowed in numbers"),
            ("leading plus", Array("+1".utf8), 0, "unexpected character '+', expected a JSON value"),
            ("bare minus", Array("-".utf8), 1, "expected a digit after '-'"),
            ("minus Infinity", Array("-Infinity".utf8), 1, "expected a digit after '-'"),
            ("NaN", Array("NaN".utf8), 0, "unexpected character 'N', expected a JSON value"),
            ("missing fraction digits", Array("1.".utf8), 2, "expected a digit after '.'"),
            ("missing exponent digits", Array("1e+".utf8), 3, "expected a digit in exponent"),
            ("number out of range", Array("[1e400]".utf8), 1, "number is out of range"),
            ("bad escape", Array(#"["ab\x"]"#.utf8), 4, "invalid escape sequence '\\x'"),
            ("escaped newline", Array("\"\\\n\"".utf8), 1, "invalid escape sequence: '\\' followed by byte 0x0A"),
            ("short unicode escape", Array(#""\u12G4""#.utf8), 1, "invalid \\u escape, expected four hex digits"),
            ("lone high surrogate", Array(#""x\ud800y""#.utf8), 2, "unpaired UTF-16 high surrogate in \\u escape"),
            ("high surrogate then non-surrogate", Array(#""\ud800\u0041""#.utf8), 1,
             "unpaired UTF-16 high surrogate in \\u escape"),
            ("lone low surrogate", Array(#""\udc00""#.utf8), 1, "unpaired UTF-16 low surrogate in \\u escape"),
            ("invalid UTF-8 byte", [0x22, 0x61, 0xFF, 0x22], 2, "invalid UTF-8 byte 0xFF"),
            ("overlong UTF-8", [0x22, 0xC0, 0x80, 0x22], 1, "invalid UTF-8 byte 0xC0"),
            ("UTF-8 encoded surrogate", [0x22, 0xED, 0xA0, 0x80, 0x22], 1, "invalid UTF-8 sequence"),
            ("truncated UTF-8", [0x22, 0xE2, 0x82, 0x22], 1, "invalid UTF-8 sequence"),
            ("stray continuation byte", [0x22, 0x80, 0x22], 1, "invalid UTF-8 byte 0x80"),
            ("non-ASCII outside string", [0x5B, 0xC3, 0xA9, 0x5D], 1, "unexpected byte 0xC3, expected a JSON value"),
            ("byte order mark", [0xEF, 0xBB, 0xBF, 0x31], 0, "unexpected byte 0xEF, expected a JSON value"),
            ("raw newline in string", Array("\"a\nb\"".utf8), 2, "unescaped control character byte 0x0A in string"),
            ("raw tab in string", Array("\"\t\"".utf8), 1, "unescaped control character byte 0x09 in string"),
            ("unterminated string", Array(#"{"key": "val"#.utf8), 8, "unterminated string"),
            ("trailing garbage", Array("{} x".utf8), 3, "unexpected character 'x' after the JSON value"),
            ("two values", Array("1 2".utf8), 2, "unexpected character '2' after the JSON value"),
            ("comment", Array("[1] // note".utf8), 4, "unexpected character '/' after the JSON value"),
            ("missing comma", Array("[1 2]".utf8), 3, "expected ',' or ']' after array element"),
            ("missing colon", Array(#"{"a" 1}"#.utf8), 5, "expected ':' after object key"),
            ("unquoted key", Array("{a:1}".utf8), 1, "expected a string object key, found character 'a'"),
            ("missing member separator", Array(#"{"a":1 "b":2}"#.utf8), 7, "expected ',' or '}' after object member"),
            ("unclosed array", Array("[1,".utf8), 3, "unexpected end of input, expected a JSON value"),
            ("unclosed object", Array(#"{"a":1"#.utf8), 6,
             "unexpected end of input, expected ',' or '}' after object member"),
            ("misspelled literal", Array("[tru]".utf8), 1, "invalid literal, expected 'true'"),
            ("single quotes", Array("'a'".utf8), 0, "unexpected character ''', expected a JSON value"),
        ]
        for testCase in cases {
            XCTAssertThrowsError(try JSONValue(parsing: testCase.bytes), testCase.name) { error in
                XCTAssertEqual(
                    error as? JSONParseError, JSONParseError(offset: testCase.offset, message: testCase.message),
                    testCase.name)
            }
        }
    }

    func testDeepNestingIsAnErrorNotAStackOverflow() {
        for opener in ["[", #"{"a":"#] {
            let text = String(repeating: opener, count: 10_000)
            let expectedOffset = 256 * opener.utf8.count
            XCTAssertThrowsError(try JSONValue(parsing: text)) { error in
                XCTAssertEqual(
                    error as? JSONParseError,
                    JSONParseError(offset: expectedOffset, message: "nesting is deeper than 256 levels"))
            }
        }
    }

    func testParseErrorDescriptionNamesTheByte() {
        XCTAssertEqual(
            JSONParseError(offset: 17, message: "expected ',' or '}' after object member").description,
            "invalid JSON at byte 17: expected ',' or '}' after object member")
    }

    // MARK: Serialization

    func testObjectKeysAreSortedByUTF8Bytes() {
        let value: JSONValue = ["b": 1, "a": 2, "B": 3, "\u{e9}": 4, "aa": 5, "z": 6, "": 7]
        XCTAssertEqual(value.serialized(), #"{"":7,"B":3,"a":2,"aa":5,"b":1,"z":6,"é":4}"#)
    }

    func testNumberFormatting() {
        let cases: [(Double, String)] = [
            (3, "3"),
            (-3, "-3"),
            (0, "0"),
            (-0.0, "0"),
            (1500, "1500"),
            (9_007_199_254_740_991, "9007199254740991"),
            (9_007_199_254_740_992, "9007199254740992.0"),
            (1e21, "1e+21"),
            (0.1, "0.1"),
            (2.5, "2.5"),
            (-0.000015, "-1.5e-05"),
            (1.0 / 3.0, "0.3333333333333333"),
            (.leastNonzeroMagnitude, "5e-324"),
            (.infinity, "null"),
            (.nan, "null"),
        ]
        for (number, expected) in cases {
            let text = JSONValue.number(number).serialized()
            XCTAssertEqual(text, expected, "formatting \(number)")
            if number.isFinite {
                XCTAssertEqual(try JSONValue(parsing: text).doubleValue, number, "re-parsing \(text)")
            }
        }
    }

    func testStringEscapingOnSerialization() {
        let value = JSONValue.string("q\" b\\ s/ \u{8}\u{c}\n\r\t \u{0}\u{1f}\u{7f} é😀")
        XCTAssertEqual(value.serialized(), #""q\" b\\ s/ \b\f\n\r\t \u0000\u001f"# + "\u{7f} é😀\"")
    }

    func testPrettySerializationUsesTwoSpaceIndentation() {
        let value: JSONValue = ["name": "x", "list": [1, [], [:]], "nested": ["k": nil]]
        let expected = """
            {
              "list": [
                1,
                [],
                {}
              ],
              "name": "x",
              "nested": {
                "k": null
              }
            }
            """
        XCTAssertEqual(value.serialized(pretty: true), expected)
        XCTAssertEqual(JSONValue.array([]).serialized(pretty: true), "[]")
    }

    // MARK: Accessors and literals

    func testAccessorsReturnValuesOnlyForTheMatchingCase() {
        let value: JSONValue = ["s": "text", "n": 2.5, "i": 7, "b": false, "a": [1, 2], "o": ["k": nil], "z": nil]
        XCTAssertEqual(value["s"]?.stringValue, "text")
        XCTAssertEqual(value["n"]?.doubleValue, 2.5)
        XCTAssertNil(value["n"]?.intValue)
        XCTAssertEqual(value["i"]?.intValue, 7)
        XCTAssertEqual(value["b"]?.boolValue, false)
        XCTAssertEqual(value["a"]?[1], 2)
        XCTAssertNil(value["a"]?[2])
        XCTAssertNil(value["a"]?[-1])
        XCTAssertEqual(value["a"]?.arrayValue?.count, 2)
        XCTAssertEqual(value["o"]?.objectValue, ["k": .null])
        XCTAssertEqual(value["z"]?.isNull, true)
        XCTAssertNil(value["missing"])
        XCTAssertNil(value[0])
        XCTAssertNil(JSONValue.array([1])["key"])
        XCTAssertNil(JSONValue.string("1").doubleValue)
        XCTAssertNil(JSONValue.number(1).stringValue)
        XCTAssertNil(JSONValue.number(1).boolValue)
        XCTAssertFalse(JSONValue.bool(false).isNull)
        XCTAssertNil(JSONValue.number(1e300).intValue)
        XCTAssertEqual(JSONValue.number(-4).intValue, -4)
    }

    func testTypeNames() {
        let cases: [(JSONValue, String)] = [
            (nil, "null"), (true, "boolean"), (1, "number"), ("s", "string"), ([], "array"), ([:], "object"),
        ]
        for (value, name) in cases { XCTAssertEqual(value.typeName, name) }
    }

    func testLiteralsBuildTheNaturalCases() {
        let value: JSONValue = ["n": nil, "b": true, "i": 3, "f": 1.5, "s": "x", "a": [1, "two"]]
        XCTAssertEqual(
            value,
            .object([
                "n": .null, "b": .bool(true), "i": .number(3), "f": .number(1.5), "s": .string("x"),
                "a": .array([.number(1), .string("two")]),
            ]))
    }

    // MARK: Codable

    private struct PluginConfig: Codable, Equatable {
        var name: String
        var settings: JSONValue
        var extra: [String: JSONValue]
    }

    func testCodableEmbedsAsNaturalJSON() throws {
        let config = PluginConfig(
            name: "net", settings: ["mtu": 1500, "modes": ["a", nil, true, 2.5], "sub": [:]], extra: ["x": []])
        let data = try JSONEncoder().encode(config)
        // The encoded form is plain JSON that our own parser reads back.
        let reparsed = try JSONValue(parsing: data)
        XCTAssertEqual(reparsed["settings"], config.settings)
        XCTAssertEqual(reparsed["extra"], ["x": []])
        XCTAssertEqual(try JSONDecoder().decode(PluginConfig.self, from: data), config)

        let text = #"{"name":"n","settings":{"deep":[{"a":false},0,-1e-3,"s",null]},"extra":{}}"#
        let decoded = try JSONDecoder().decode(PluginConfig.self, from: Data(text.utf8))
        XCTAssertEqual(decoded.settings, try JSONValue(parsing: text)["settings"])
    }

    func testCodableTopLevelScalars() throws {
        for value: JSONValue in [nil, true, false, 0, -12.75, "s"] {
            let data = try JSONEncoder().encode(value)
            XCTAssertEqual(try JSONDecoder().decode(JSONValue.self, from: data), value)
        }
    }

    // MARK: Fuzzing

    /// SplitMix64: tiny, deterministic, good enough to shake out crashes.
    private struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    func testFuzzedInputNeverCrashesAndAcceptedInputRoundTrips() throws {
        var random = SeededGenerator(state: 0x5EED_1234)
        let seeds = [
            #"{"a":[1,2,{"b":null}],"c":"d\u00e9\ud83d\ude00","e":-1.5e10,"f":true,"g":false}"#,
            #"[0,-0,1e5,"\\\"\/\b\f\n\r\t",[],{},[[[]]]]"#,
            #""caf"# + "\u{e9} \u{4e2d}\u{1F600}\"",
            "  123.456e-7  ",
        ].map { Array($0.utf8) }
        let alphabet = Array(#"{}[]:,"\-+.0123456789eEtrufalsn /u"#.utf8) + [0x00, 0x0A, 0x80, 0xC3, 0xE2, 0xED, 0xF0, 0xFF]
        var accepted = 0
        for iteration in 0..<4000 {
            var bytes: [UInt8]
            if iteration % 2 == 0 {
                bytes = (0..<Int.random(in: 0...40, using: &random)).map { _ in
                    Bool.random(using: &random)
                        ? alphabet.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
                }
            } else {
                bytes = seeds.randomElement(using: &random)!
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    mutate(&bytes, alphabet: alphabet, using: &random)
                }
            }
            do {
                let value = try JSONValue(parsing: bytes)
                accepted += 1
                for pretty in [false, true] {
                    XCTAssertEqual(try JSONValue(parsing: value.serialized(pretty: pretty)), value, "input \(bytes)")
                }
            } catch {
                XCTAssert((0...bytes.count).contains(error.offset), "offset \(error.offset) outside input \(bytes)")
            }
        }
        XCTAssertGreaterThan(accepted, 50, "mutations should sometimes stay valid")
    }

    private func mutate(_ bytes: inout [UInt8], alphabet: [UInt8], using random: inout SeededGenerator) {
        let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<5, using: &random) {
        case 0 where !bytes.isEmpty: bytes[position] = alphabet.randomElement(using: &random)!
        case 1 where !bytes.isEmpty: bytes.remove(at: position)
        case 2: bytes.insert(alphabet.randomElement(using: &random)!, at: position)
        case 3 where !bytes.isEmpty: bytes.removeSubrange(position...)
        default:
            let end = min(bytes.count, position + Int.random(in: 0...8, using: &random))
            bytes.insert(contentsOf: bytes[position..<end], at: position)
        }
    }
}
