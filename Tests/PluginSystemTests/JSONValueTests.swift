import Testing
@testable import PluginSystem

@Suite struct JSONValueTests {
    @Test func keepsObjectKeyOrderThroughParseAndEncode() throws {
        let text = #"{"zeta":1,"alpha":[true,false,null],"mid":{"b":"x","a":2.5}}"#
        let value = try JSONValue.parse(text)
        #expect(Array(value.objectValue!.keys) == ["zeta", "alpha", "mid"])
        #expect(value.encoded() == text)
    }

    @Test func encodesLikePythonCompactDumps() {
        let value: JSONValue = ["text": "héllo \"q\"\n\t\u{01}", "n": 1.0, "big": 1e20, "small": 1e-7, "i": -3]
        #expect(value.encoded() == #"{"text":"héllo \"q\"\n\t\u0001","n":1.0,"big":1e+20,"small":1e-07,"i":-3}"#)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONValue.parse(#"["\u00e9\ud83d\ude00\/\b\f\r", -0.5e2, 12345678901234]"#)
        #expect(value == .array([.string("é😀/\u{08}\u{0C}\r"), .double(-50), .int(12_345_678_901_234)]))
    }

    @Test func duplicateKeyKeepsLastValueAsPythonDoes() throws {
        #expect(try JSONValue.parse(#"{"a":1,"a":2}"#) == ["a": 2])
    }

    /// JSON allows keys that differ only in Unicode normalisation; an object here cannot hold both
    /// (its keys are Swift strings), and keeping one would change the value unseen: it is refused.
    @Test func keysThatDifferOnlyInNormalisationAreRefusedNotMerged() throws {
        let text = #"{"x": {"caf\u00e9": 1, "cafe\u0301": 2}}"#
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
        do {
            _ = try JSONValue.parse(text)
        } catch {
            #expect(error.kind == .keysDifferOnlyInNormalisation)
            #expect(error.limitDescription
                == #"two keys differ only in Unicode normalisation ("caf\u00e9" and "cafe\u0301"); an object here cannot hold both at $.x"#)
        }
        // One spelling, as often as it comes: the last value, in the spelling it came in.
        let same = try JSONValue.parse(#"{"cafe\u0301": 1, "cafe\u0301": 2}"#)
        #expect(same == ["cafe\u{301}": 2])
        #expect(same.objectValue?.keys.first?.exactlyEquals("cafe\u{301}") == true)
    }

    @Test(arguments: [
        (#"{"a": }"#, "unexpected character '}', expected a value at line 1, column 7"),
        ("[1,\n 2,\n x]", "unexpected character 'x', expected a value at line 3, column 2"),
        (#"{"a":1"#, "unexpected end of input inside an object at line 1, column 7"),
        ("NaN", "NaN and Infinity are not valid JSON at line 1, column 1"),
        ("01", "leading zeros are not allowed in numbers at line 1, column 1"),
        (#""abc"#, "unterminated string at line 1, column 1"),
        ("[1] 2", "extra data after the JSON value at line 1, column 5"),
        (#"{"é": tru}"#, "invalid literal, expected 'true' at line 1, column 7"),
    ])
    func reportsWhereTheTextIsWrong(text: String, message: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
        do { _ = try JSONValue.parse(text) } catch { #expect(error.description == message) }
    }

    @Test func rejectsHostileNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
    }

    @Test func prettyPrintsWithTwoSpaces() {
        let value: JSONValue = ["a": [1, 2], "b": [:]]
        #expect(value.encoded(pretty: true) == "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}")
    }

    @Test func numericEqualityTreatsIntAndDoubleAlike() {
        #expect(JSONValue.array([1, ["x": 2]]).numericallyEquals(.array([.double(1), ["x": .double(2)]])))
        #expect(!JSONValue.int(1).numericallyEquals(.double(1.5)))
    }
}
