import Foundation
import XCTest

@testable import PaddockCore
@testable import PaddockJSON

final class JSONSchemaTests: XCTestCase {
    /// A schema, instances it accepts, and instances it rejects with the
    /// exact violation descriptions expected.
    private struct KeywordCase {
        var name: String
        var schema: JSONValue
        var valid: [JSONValue] = []
        var invalid: [(instance: JSONValue, violations: [String])] = []
    }

    private func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSONValue {
        do {
            return try JSONValue(parsing: text)
        } catch {
            XCTFail("test JSON does not parse: \(error)", file: file, line: line)
            return .null
        }
    }

    private func run(_ cases: [KeywordCase], file: StaticString = #filePath, line: UInt = #line) {
        for testCase in cases {
            let schema: JSONSchema
            do {
                schema = try JSONSchema(testCase.schema)
            } catch {
                XCTFail("\(testCase.name): schema rejected: \(error)", file: file, line: line)
                continue
            }
            for instance in testCase.valid {
                XCTAssertEqual(
                    schema.validate(instance).map(\.description), [],
                    "\(testCase.name): \(instance.serialized()) should be valid", file: file, line: line)
            }
            for (instance, expected) in testCase.invalid {
                XCTAssertEqual(
                    schema.validate(instance).map(\.description), expected,
                    "\(testCase.name): \(instance.serialized())", file: file, line: line)
            }
        }
    }

    // MARK: Keywords

    func testBooleanSchemas() {
        run([
            KeywordCase(name: "true", schema: true, valid: [nil, 1, "x", [1], ["a": 1]]),
            KeywordCase(name: "false", schema: false, invalid: [(1, ["(root): is not allowed"])]),
            KeywordCase(name: "empty object", schema: [:], valid: [nil, false, [[]]]),
        ])
    }

    func testTypeKeyword() {
        run([
            KeywordCase(
                name: "string", schema: ["type": "string"], valid: ["", "a"],
                invalid: [(1, ["(root): must be a string"]), (nil, ["(root): must be a string"])]),
            KeywordCase(
                name: "integer", schema: ["type": "integer"], valid: [1, 1.0, -5, 1e20],
                invalid: [(1.5, ["(root): must be an integer"]), ("1", ["(root): must be an integer"])]),
            KeywordCase(
                name: "number accepts integers", schema: ["type": "number"], valid: [1, 1.5],
                invalid: [(true, ["(root): must be a number"])]),
            KeywordCase(
                name: "each remaining type", schema: ["type": ["boolean", "array", "object", "null"]],
                valid: [true, [], [:], nil],
                invalid: [(0, ["(root): must be a boolean, an array, an object or null"])]),
            KeywordCase(
                name: "nullable string", schema: ["type": ["string", "null"]], valid: ["x", nil],
                invalid: [(1, ["(root): must be a string or null"])]),
        ])
    }

    func testEnumAndConst() {
        run([
            KeywordCase(
                name: "string enum", schema: ["enum": ["purge", "retain", "archive"]], valid: ["purge", "archive"],
                invalid: [
                    ("delete", [#"(root): must be one of "purge", "retain", "archive""#]),
                    (1, [#"(root): must be one of "purge", "retain", "archive""#]),
                ]),
            KeywordCase(
                name: "mixed enum", schema: ["enum": [1, nil, ["a": [1]]]], valid: [1.0, nil, ["a": [1]]],
                invalid: [(["a": [2]], [#"(root): must be one of 1, null, {"a":[1]}"#])]),
            KeywordCase(
                name: "const", schema: ["const": 5], valid: [5, 5.0],
                invalid: [("5", ["(root): must be equal to 5"])]),
            KeywordCase(
                name: "const null", schema: ["const": nil], valid: [nil],
                invalid: [(false, ["(root): must be equal to null"])]),
        ])
    }

    func testNumericKeywords() {
        run([
            KeywordCase(
                name: "inclusive bounds", schema: ["minimum": 576, "maximum": 9000], valid: [576, 9000, 1500.5, "x"],
                invalid: [(575, ["(root): must be >= 576"]), (9000.5, ["(root): must be <= 9000"])]),
            KeywordCase(
                name: "exclusive bounds", schema: ["exclusiveMinimum": 0, "exclusiveMaximum": 1], valid: [0.5],
                invalid: [(0, ["(root): must be > 0"]), (1, ["(root): must be < 1"])]),
            KeywordCase(
                name: "decimal multipleOf", schema: ["multipleOf": 0.1], valid: [0, 0.3, 1.2, -4.7, 123456.7],
                invalid: [(0.35, ["(root): must be a multiple of 0.1"])]),
            KeywordCase(
                name: "integer multipleOf", schema: ["multipleOf": 8], valid: [16, -8, 0],
                invalid: [(12, ["(root): must be a multiple of 8"]), (8.5, ["(root): must be a multiple of 8"])]),
        ])
    }

    func testStringKeywords() {
        run([
            KeywordCase(
                name: "length counts code points", schema: ["minLength": 2, "maxLength": 3],
                valid: ["ab", "日本語", "😀😀", "e\u{301}"],
                invalid: [
                    ("a", ["(root): must be at least 2 characters long"]),
                    ("abcd", ["(root): must be at most 3 characters long"]),
                    ("😀", ["(root): must be at least 2 characters long"]),
                ]),
            KeywordCase(
                name: "singular length", schema: ["minLength": 1], valid: ["x"],
                invalid: [("", ["(root): must be at least 1 character long"])]),
            KeywordCase(
                name: "anchored pattern", schema: ["pattern": "^[a-z]+[0-9]?$"], valid: ["eth0", "lo", 7],
                invalid: [("Eth0", [#"(root): must match pattern "^[a-z]+[0-9]?$""#])]),
            KeywordCase(
                name: "pattern search is unanchored", schema: ["pattern": "[0-9]"], valid: ["abc1def"],
                invalid: [("abc", [#"(root): must match pattern "[0-9]""#])]),
        ])
    }

    func testFormats() {
        func formatCase(_ format: String, valid: [JSONValue], invalid: [String], message: String) -> KeywordCase {
            KeywordCase(
                name: format, schema: ["format": .string(format)], valid: valid,
                invalid: invalid.map { (.string($0), ["(root): must be \(message)"]) })
        }
        run([
            formatCase(
                "ipv4", valid: ["198.18.0.1", "255.255.255.255", "0.0.0.0", 5],
                invalid: ["256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.4 ", "a.b.c.d", "", "1..2.3"],
                message: "a valid IPv4 address"),
            formatCase(
                "ipv6",
                valid: ["::", "::1", "fe80::1", "2001:db8:0:0:0:0:2:1", "2001:DB8::8:800:200C:417A", "::ffff:192.0.2.1",
                        "1:2:3:4:5:6:7::", "1:2:3:4:5:6:1.2.3.4"],
                invalid: ["1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "2001:db8::1::1", "12345::", "fe80::1%eth0", ":1",
                          "1:", "1:2:3:4:5:6:7:8::", "g::", ":::", "1.2.3.4", "::1.2.3.4:1", ""],
                message: "a valid IPv6 address"),
            formatCase(
                "cidr", valid: ["198.18.0.0/15", "198.19.1.0/24", "0.0.0.0/0", "198.18.0.1/32", "2001:db8::/32", "::/0",
                                "fe80::1/128"],
                invalid: ["198.18.0.0", "198.18.0.0/33", "198.18.0.0/08", "198.18.0.0/", "2001:db8::/129", "host/24",
                          "198.18.0.0/24/1", "/24", "198.18.0.0/-1"],
                message: "a valid CIDR block (address/prefix length)"),
            formatCase(
                "hostname",
                valid: ["example.com", "a", "my-host01.internal", "1host", .string(String(repeating: "a", count: 63))],
                invalid: ["-bad.com", "bad-.com", "a..b", "", "under_score", "trailing.", "ex ample",
                          String(repeating: "a", count: 64), Array(repeating: "abcdefghi", count: 26).joined(separator: "."),
                          "caf\u{e9}.com"],
                message: "a valid hostname"),
            formatCase(
                "uri", valid: ["https://example.com/path?q=1#frag", "urn:isbn:0451450523", "mailto:a@b.c",
                               "file:///tmp/x", "http://x/%20y"],
                invalid: ["example.com/path", "//example.com", "1http://x", "http://exa mple.com", "http://x/%zz",
                          ":nothing", "http://\u{e9}"],
                message: "a valid URI with a scheme"),
            KeywordCase(name: "unknown formats are ignored", schema: ["format": "port"], valid: ["not a port", 99999]),
        ])
    }

    func testArrayKeywords() {
        run([
            KeywordCase(
                name: "items schema", schema: ["items": ["type": "integer"]], valid: [[], [1, 2]],
                invalid: [([1, "a", 2, true], ["/1: must be an integer", "/3: must be an integer"])]),
            KeywordCase(
                name: "prefixItems with closed tail", schema: parse(
                    #"{"prefixItems":[{"type":"string"},{"type":"integer"}],"items":false}"#),
                valid: [["a", 1], ["a"], []],
                invalid: [
                    (["a", 1, 2], ["/2: is not allowed (items is false)"]),
                    ([1, "a"], ["/0: must be a string", "/1: must be an integer"]),
                ]),
            KeywordCase(
                name: "draft-07 tuple items", schema: parse(
                    #"{"items":[{"type":"string"}],"additionalItems":{"type":"boolean"}}"#),
                valid: [["a", true, false]],
                invalid: [(["a", true, 3], ["/2: must be a boolean"]), ([1], ["/0: must be a string"])]),
            KeywordCase(
                name: "draft-07 closed tuple", schema: parse(#"{"items":[{}],"additionalItems":false}"#),
                valid: [[1]], invalid: [([1, 2], ["/1: is not allowed (additionalItems is false)"])]),
            KeywordCase(
                name: "item counts", schema: ["minItems": 1, "maxItems": 2], valid: [[1], [1, 2]],
                invalid: [([], ["(root): must have at least 1 item"]), ([1, 2, 3], ["(root): must have at most 2 items"])]),
            KeywordCase(
                name: "uniqueItems", schema: ["uniqueItems": true], valid: [[1, "1", [1], ["a": 1], true, nil]],
                invalid: [
                    ([1, 2, 1.0], ["(root): must not contain duplicate items (items 0 and 2 are equal)"]),
                    ([["a": 1, "b": 2], ["b": 2, "a": 1]],
                     ["(root): must not contain duplicate items (items 0 and 1 are equal)"]),
                ]),
            KeywordCase(
                name: "contains", schema: ["contains": ["type": "integer"]], valid: [["a", 1]],
                invalid: [
                    (["a"], ["(root): must contain at least one item matching the contains schema"]),
                    ([], ["(root): must contain at least one item matching the contains schema"]),
                ]),
            KeywordCase(
                name: "minContains and maxContains", schema: ["contains": ["const": 1], "minContains": 2, "maxContains": 3],
                valid: [[1, 1, 2], [1, 1, 1]],
                invalid: [
                    ([1], ["(root): must contain at least 2 items matching the contains schema"]),
                    ([1, 1, 1, 1], ["(root): must contain at most 3 items matching the contains schema"]),
                ]),
        ])
    }

    func testObjectKeywords() {
        run([
            KeywordCase(
                name: "properties and required", schema: parse(
                    #"{"properties":{"a":{"type":"string"}},"required":["a","b"]}"#),
                valid: [["a": "x", "b": nil], "not an object"],
                invalid: [
                    (["a": 1], [#"(root): is missing required property "b""#, "/a: must be a string"]),
                    ([:], [#"(root): is missing required property "a""#, #"(root): is missing required property "b""#]),
                ]),
            KeywordCase(
                name: "closed object", schema: parse(#"{"properties":{"a":{}},"additionalProperties":false}"#),
                valid: [["a": 1], [:]],
                invalid: [
                    (["a": 1, "c": 3, "b": 2], [
                        "/b: is not allowed (additionalProperties is false)",
                        "/c: is not allowed (additionalProperties is false)",
                    ])
                ]),
            KeywordCase(
                name: "patternProperties and additionalProperties schema", schema: parse(
                    #"{"patternProperties":{"^x-":{"type":"string"}},"additionalProperties":{"type":"integer"}}"#),
                valid: [["x-a": "s", "n": 1]],
                invalid: [(["x-a": 1, "n": "s"], ["/n: must be an integer", "/x-a: must be a string"])]),
            KeywordCase(
                name: "property matched by properties and a pattern gets both", schema: parse(
                    #"{"properties":{"ab":{"type":"string"}},"patternProperties":{"^a":{"minLength":3}}}"#),
                invalid: [(["ab": "x"], ["/ab: must be at least 3 characters long"]),
                          (["ab": 1], ["/ab: must be a string"])]),
            KeywordCase(
                name: "propertyNames", schema: parse(#"{"propertyNames":{"pattern":"^[a-z]+$","maxLength":4}}"#),
                valid: [["abc": 1]],
                invalid: [
                    (["Abc": 1, "abcdef": 2], [
                        #"/Abc: property name must match pattern "^[a-z]+$""#,
                        "/abcdef: property name must be at most 4 characters long",
                    ])
                ]),
            KeywordCase(
                name: "property counts", schema: ["minProperties": 1, "maxProperties": 2], valid: [["a": 1]],
                invalid: [
                    ([:], ["(root): must have at least 1 property"]),
                    (["a": 1, "b": 2, "c": 3], ["(root): must have at most 2 properties"]),
                ]),
        ])
    }

    func testCombinators() {
        run([
            KeywordCase(
                name: "allOf reports every branch", schema: parse(#"{"allOf":[{"type":"integer"},{"minimum":10}]}"#),
                valid: [10], invalid: [(5.5, ["(root): must be an integer", "(root): must be >= 10"])]),
            KeywordCase(
                name: "anyOf", schema: parse(#"{"anyOf":[{"type":"string"},{"type":"integer"}]}"#), valid: ["a", 1],
                invalid: [(1.5, ["(root): must match at least one schema in anyOf"])]),
            KeywordCase(
                name: "oneOf", schema: parse(#"{"oneOf":[{"type":"integer"},{"minimum":0}]}"#), valid: [-1, 0.5],
                invalid: [
                    (1, ["(root): must match exactly one schema in oneOf (matched 2)"]),
                    (-0.5, ["(root): must match exactly one schema in oneOf (matched 0)"]),
                ]),
            KeywordCase(
                name: "not", schema: ["not": ["type": "null"]], valid: [0],
                invalid: [(nil, ["(root): must not match the schema in not"])]),
            KeywordCase(
                name: "if/then/else", schema: parse(
                    """
                    {"if": {"properties": {"mode": {"const": "ipsec"}}, "required": ["mode"]},
                     "then": {"required": ["key"]},
                     "else": {"properties": {"key": false}}}
                    """),
                valid: [["mode": "ipsec", "key": "k"], ["mode": "vxlan"], [:]],
                invalid: [
                    (["mode": "ipsec"], [#"(root): is missing required property "key""#]),
                    (["mode": "vxlan", "key": "k"], ["/key: is not allowed"]),
                ]),
            KeywordCase(
                name: "if without then or else has no effect", schema: ["if": false], valid: [1]),
        ])
    }

    func testLocalReferences() {
        run([
            KeywordCase(
                name: "$defs", schema: parse(
                    ##"{"$defs":{"port":{"type":"integer","minimum":1,"maximum":65535}},"properties":{"p":{"$ref":"#/$defs/port"}}}"##),
                valid: [["p": 443]], invalid: [(["p": 0], ["/p: must be >= 1"])]),
            KeywordCase(
                name: "draft-07 definitions with escaped names", schema: parse(
                    """
                    {"definitions": {"a/b": {"type": "string"}, "t~x": {"type": "integer"}, "sp ace": {"const": 1}},
                     "properties": {"x": {"$ref": "#/definitions/a~1b"}, "y": {"$ref": "#/definitions/t~0x"},
                                    "z": {"$ref": "#/definitions/sp%20ace"}}}
                    """),
                valid: [["x": "s", "y": 1, "z": 1]],
                invalid: [(["x": 1, "y": "s", "z": 2],
                           ["/x: must be a string", "/y: must be an integer", "/z: must be equal to 1"])]),
            KeywordCase(
                name: "reference into an array of schemas", schema: parse(
                    ##"{"anyOf":[{"type":"string"}],"properties":{"s":{"$ref":"#/anyOf/0"}}}"##),
                invalid: [(["s": 1], ["(root): must match at least one schema in anyOf", "/s: must be a string"])]),
            KeywordCase(
                name: "keywords beside $ref also apply", schema: parse(
                    ##"{"$defs":{"n":{"type":"integer"}},"$ref":"#/$defs/n","minimum":3}"##),
                invalid: [(2.5, ["(root): must be an integer", "(root): must be >= 3"])]),
        ])
    }

    func testRecursiveReferenceValidatesNestedPaths() throws {
        let schema = try JSONSchema(parse(
            """
            {"type": "object", "required": ["name"],
             "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#"}}}}
            """))
        let tree = parse(
            #"{"name":"root","children":[{"name":"a"},{"name":1,"children":[{"name":false},{}]}]}"#)
        XCTAssertEqual(schema.validate(tree).map(\.description), [
            "/children/1/children/0/name: must be a string",
            #"/children/1/children/1: is missing required property "name""#,
            "/children/1/name: must be a string",
        ])
    }

    func testDeepInstanceAgainstRecursiveSchemaIsReportedNotCrashed() throws {
        let schema = try JSONSchema(["items": ["$ref": "#"]])
        var instance: JSONValue = []
        for _ in 0..<2000 { instance = [instance] }
        let violations = schema.validate(instance)
        XCTAssertEqual(violations.count, 1)
        XCTAssertEqual(violations.first?.message, "is nested too deeply to validate (limit 1024)")
    }

    func testAnnotationsAndUnknownKeywordsAreIgnored() {
        run([
            KeywordCase(
                name: "annotations", schema: parse(
                    """
                    {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "urn:x", "$comment": "c",
                     "title": "t", "description": "d", "default": 5, "examples": [1], "deprecated": true,
                     "x-unknown": {"type": 5}, "readOnly": "yes"}
                    """),
                valid: [nil, 1, "s", [1], ["a": 1]]),
        ])
    }

    // MARK: Paths and ordering

    func testNestedViolationsHaveJSONPointerPathsInDocumentOrder() throws {
        let schema = try JSONSchema(parse(
            """
            {"type": "object",
             "properties": {
               "retention": {"enum": ["purge", "retain", "archive"]},
               "routes": {"type": "array", "items": {
                 "type": "object", "required": ["dst"], "additionalProperties": false,
                 "properties": {"dst": {"type": "string", "format": "cidr"},
                                "via": {"type": "string", "format": "ipv4"}}}},
               "labels": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 8}}}}
            """))
        let config = parse(
            """
            {"routes": [{"dst": "198.18.0.0/15", "via": "198.18.0.1"},
                        {"via": "198.18.0.300"},
                        {"dst": "198.19.0.0/99", "metric": 5}],
             "retention": "delete",
             "labels": {"a/b": "too long a value", "ok": "fine", "~": 3}}
            """)
        XCTAssertEqual(schema.validate(config).map(\.description), [
            "/labels/a~1b: must be at most 8 characters long",
            "/labels/~0: must be a string",
            #"/retention: must be one of "purge", "retain", "archive""#,
            #"/routes/1: is missing required property "dst""#,
            "/routes/1/via: must be a valid IPv4 address",
            "/routes/2/dst: must be a valid CIDR block (address/prefix length)",
            "/routes/2/metric: is not allowed (additionalProperties is false)",
        ])
        let violation = schema.validate(config)[4]
        XCTAssertEqual(violation, SchemaViolation(path: "/routes/1/via", message: "must be a valid IPv4 address"))
    }

    func testArrayIndicesSortNumerically() throws {
        let schema = try JSONSchema(["items": ["type": "string"]])
        let instance = JSONValue.array((0..<12).map { .number(Double($0)) })
        XCTAssertEqual(schema.validate(instance).map(\.path), (0..<12).map { "/\($0)" })
    }

    func testValidationIsDeterministicAndThreadSafe() throws {
        let schema = try JSONSchema(parse(
            #"{"patternProperties":{"^[a-z]+$":{"pattern":"^v[0-9]+$"}},"additionalProperties":false}"#))
        let instance: JSONValue = ["alpha": "v1", "beta": "x", "Gamma": "v2", "delta": "v", "eps": 3]
        let expected = schema.validate(instance)
        XCTAssertEqual(expected.map(\.description), [
            "/Gamma: is not allowed (additionalProperties is false)",
            #"/beta: must match pattern "^v[0-9]+$""#,
            #"/delta: must match pattern "^v[0-9]+$""#,
        ])
        let mismatches = ManagedCounter()
        DispatchQueue.concurrentPerform(iterations: 64) { _ in
            if schema.validate(instance) != expected { mismatches.increment() }
        }
        XCTAssertEqual(mismatches.value, 0)
    }

    func testDescriptions() {
        XCTAssertEqual(SchemaViolation(path: "/mtu", message: "must be >= 576").description, "/mtu: must be >= 576")
        XCTAssertEqual(SchemaViolation(path: "", message: "must be an object").description, "(root): must be an object")
        XCTAssertEqual(
            JSONSchemaError(path: "/type", message: "type must be a string or an array of strings").description,
            "invalid schema at /type: type must be a string or an array of strings")
        XCTAssertEqual(JSONSchemaError(path: "", message: "m").description, "invalid schema at (root): m")
    }

    // MARK: Malformed schemas

    func testMalformedSchemasAreRejectedWithTheirLocation() {
        let cases: [(schema: String, path: String, message: String)] = [
            ("5", "", "a schema must be an object or a boolean, not a number"),
            (#"{"type":5}"#, "/type", "type must be a string or an array of strings"),
            (#"{"type":"strin"}"#, "/type", #"unknown type "strin""#),
            (#"{"type":["string",1]}"#, "/type/1", "type names must be strings"),
            (#"{"type":["string","string"]}"#, "/type/1", #"type "string" is listed twice"#),
            (#"{"required":"x"}"#, "/required", "required must be an array"),
            (#"{"required":["a",1]}"#, "/required/1", "required must be an array of strings"),
            (#"{"required":["a","a"]}"#, "/required/1", #""a" is listed twice in required"#),
            (#"{"minimum":"a"}"#, "/minimum", "minimum must be a number"),
            (#"{"exclusiveMaximum":true}"#, "/exclusiveMaximum",
             "exclusiveMaximum must be a number (the draft-04 boolean form is not supported)"),
            (#"{"multipleOf":0}"#, "/multipleOf", "multipleOf must be greater than 0"),
            (#"{"minLength":-1}"#, "/minLength", "minLength must be a non-negative integer"),
            (#"{"maxItems":1.5}"#, "/maxItems", "maxItems must be a non-negative integer"),
            (#"{"uniqueItems":"yes"}"#, "/uniqueItems", "uniqueItems must be a boolean"),
            (#"{"enum":"a"}"#, "/enum", "enum must be an array"),
            (#"{"format":5}"#, "/format", "format must be a string"),
            (#"{"pattern":"(unclosed"}"#, "/pattern", #""(unclosed" is not a valid regular expression"#),
            (#"{"patternProperties":{"[":{}}}"#, "/patternProperties/[", #""[" is not a valid regular expression"#),
            (#"{"properties":[]}"#, "/properties", "properties must be an object"),
            (#"{"properties":{"a":{"properties":{"b":{"type":"nope"}}}}}"#, "/properties/a/properties/b/type",
             #"unknown type "nope""#),
            (#"{"properties":{"a/b":3}}"#, "/properties/a~1b", "a schema must be an object or a boolean, not a number"),
            (#"{"items":[{"type":1}]}"#, "/items/0/type", "type must be a string or an array of strings"),
            (#"{"prefixItems":[{}],"items":[{}]}"#, "/items", "items must be a schema when prefixItems is present"),
            (#"{"additionalProperties":"no"}"#, "/additionalProperties",
             "a schema must be an object or a boolean, not a string"),
            (#"{"allOf":[]}"#, "/allOf", "allOf must not be empty"),
            (#"{"anyOf":{}}"#, "/anyOf", "anyOf must be an array"),
            (#"{"oneOf":[true,null]}"#, "/oneOf/1", "a schema must be an object or a boolean, not null"),
            (#"{"not":"x"}"#, "/not", "a schema must be an object or a boolean, not a string"),
            (#"{"$defs":{"unused":{"minimum":"x"}}}"#, "/$defs/unused/minimum", "minimum must be a number"),
            (#"{"$ref":5}"#, "/$ref", "$ref must be a string"),
            (##"{"$ref":"#/$defs/missing"}"##, "/$ref", ##"$ref "#/$defs/missing" does not resolve to anything in this schema"##),
            (##"{"properties":{"a":{"$ref":"#/properties/b"}}}"##, "/properties/a/$ref",
             ##"$ref "#/properties/b" does not resolve to anything in this schema"##),
            (#"{"$ref":"http://example.com/s.json"}"#, "/$ref",
             #"$ref "http://example.com/s.json" is not supported: only local references starting with '#' are"#),
            (##"{"$ref":"#node"}"##, "/$ref", ##"$ref "#node" is not supported: only JSON Pointer fragments are"##),
            (##"{"definitions":{"x":{"$ref":"#/definitions/x~2"}}}"##, "/definitions/x/$ref",
             ##"$ref "#/definitions/x~2" contains an invalid '~' escape"##),
            (##"{"required":["a"],"$ref":"#/required"}"##, "/$ref", ##"$ref "#/required" points to an array, not a schema"##),
            (##"{"$ref":"#/$defs/bad","$defs":{"bad":{"maximum":[]}}}"##, "/$defs/bad/maximum", "maximum must be a number"),
            (##"{"$defs":{"a":{"$ref":"#/$defs/a"}}}"##, "/$defs/a/$ref",
             ##"$ref "#/$defs/a" recurses forever without descending into the instance"##),
            (##"{"allOf":[{"$ref":"#"}]}"##, "/allOf/0/$ref", ##"$ref "#" recurses forever without descending into the instance"##),
        ]
        for (text, path, message) in cases {
            XCTAssertThrowsError(try JSONSchema(parse(text)), text) { error in
                let schemaError = error as? JSONSchemaError
                XCTAssertEqual(schemaError?.path, path, text)
                XCTAssertEqual(schemaError?.message, message, text)
            }
        }
    }

    // MARK: A realistic plugin configuration

    func testNetworkDriverConfigSchema() throws {
        let schema = try JSONSchema(parse(
            """
            {"type": "object", "required": ["subnet"], "additionalProperties": false,
             "properties": {
               "subnet": {"type": "string", "format": "cidr"},
               "mtu": {"type": "integer", "minimum": 576, "maximum": 9000},
               "mode": {"enum": ["vxlan", "ipsec"]}}}
            """))
        let cases: [(config: String, violations: [String])] = [
            (#"{"subnet": "198.18.0.0/24"}"#, []),
            (#"{"subnet": "198.18.0.0/24", "mtu": 1500, "mode": "vxlan"}"#, []),
            (#"{"subnet": "fd00::/64", "mtu": 9000.0, "mode": "ipsec"}"#, []),
            ("{}", [#"(root): is missing required property "subnet""#]),
            (#"{"subnet": "198.18.0.0/33", "mtu": 100, "mode": "gre", "vlan": 5}"#, [
                #"/mode: must be one of "vxlan", "ipsec""#,
                "/mtu: must be >= 576",
                "/subnet: must be a valid CIDR block (address/prefix length)",
                "/vlan: is not allowed (additionalProperties is false)",
            ]),
            (#"{"subnet": 24, "mtu": 1500.5}"#, ["/mtu: must be an integer", "/subnet: must be a string"]),
            (#"{"subnet": "fd00::/64", "mtu": 9001}"#, ["/mtu: must be <= 9000"]),
            (#"{"mtu": "1500", "Subnet": "198.18.0.0/24"}"#, [
                #"(root): is missing required property "subnet""#,
                "/Subnet: is not allowed (additionalProperties is false)",
                "/mtu: must be an integer",
            ]),
            ("[]", ["(root): must be an object"]),
        ]
        for (config, expected) in cases {
            XCTAssertEqual(schema.validate(parse(config)).map(\.description), expected, config)
        }
    }
}

/// A lock-protected counter for the concurrency test.
private final class ManagedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func increment() {
        lock.lock()
        count += 1
        lock.unlock()
    }

    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}
