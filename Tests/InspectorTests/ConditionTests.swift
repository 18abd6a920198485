import Inspector
import PluginSystem
import Testing

@Suite struct ConditionTests {
    static let value: JSONValue = [
        "text": "please rm -rf /", "tenant_id": "acme-corp", "n": 3, "f": 2.5, "tags": ["a", "b"], "empty": "",
        "meta": ["deep": ["x": true]], "a b": 1, "sl/sh": "s", "nothing": nil,
    ]

    func holds(_ text: String, _ value: JSONValue = ConditionTests.value) throws -> Bool {
        try Condition.parse(text).evaluate(value)
    }

    @Test(arguments: [
        (#"/text contains "rm""#, true), (#"/text contains "RM""#, false), (#"/text matches /RM -RF/i"#, true),
        (#"/text matches /^rm/"#, false), (#"/tenant_id == "acme-corp""#, true), (#"/tenant_id != "acme-corp""#, false),
        ("/n > 2", true), ("/n >= 3", true), ("/n < 3", false), ("/n <= 3.0", true), ("/n == 3.0", true), ("/f > /n", false),
        (#""a" in /tags"#, true), (#""c" in /tags"#, false), (#"/tags contains "b""#, true), (#""deep" in /meta"#, true),
        (#""rm" in /text"#, true), ("/meta/deep/x", true), ("/meta/deep/y", false), ("/empty", false), ("/nothing", false),
        ("/nothing == null", true), ("/missing == null", false), ("/missing != 1", true), ("not /missing", true),
        (#"/"a b" == 1"#, true), ("/sl~1sh == \"s\"", true), (#"/"sl/sh" == "s""#, true),
        (#"/text contains "rm" and not /tenant_id == "other""#, true), (#"/n == 1 or /n == 3"#, true),
        (#"not (/n == 1 or /n == 2)"#, true), (#"/n == 1 or /n == 2 and /n == 3"#, false),
        (#"/tags == ["a", "b"]"#, true), (#"/meta == {"deep": {"x": true}}"#, true), ("/text > 5", false),
        (#"/text < "q""#, true), ("value contains \"text\"", true), (#"/n in [1, 2, 3]"#, true),
    ])
    func evaluates(_ text: String, _ expected: Bool) throws {
        #expect(try holds(text) == expected, "\(text)")
    }

    @Test func aPlainStringValueIsReachedAsValue() throws {
        #expect(try holds(#"value matches /^how/"#, "how to launch"))
        #expect(try !holds(#"/text == "x""#, "how to launch"))
    }

    /// Every mistake names what is wrong and where (0-based character offset).
    @Test(arguments: [
        ("", "the condition is empty", 0),
        ("/text ==", "'==' needs a path or a value after it", 6),
        ("/text = \"a\"", "expected `and`, `or` or the end of the condition, found '=' (compare with ==)", 6),
        ("text == \"a\"", "unknown word 'text': a path starts with / (/text), a text is quoted (\"text\"), the whole value is `value`", 0),
        ("/text == 'a'", "expected a path (/text), a JSON value or `value` after '==', found ''' (texts are JSON: write them in double quotes)", 9),
        ("/text == \"a", "unclosed text: no closing \"", 9),
        ("/n == {\"a\": 1", "unclosed {: no closing }", 6),
        ("/n == [1,]", "not a JSON value: unexpected character ']', expected a value", 9),
        ("/text matches \"rm\"", "`matches` takes a regular expression written /…/, found '\"'", 14),
        ("/text matches /rm", "unclosed regular expression: no closing /", 14),
        ("/text matches /rm/q", "unknown regular expression flag 'q' (i: ignore case, m: ^ and $ at line ends, s: . matches newlines)", 18),
        ("/text matches /rm/ii", "the flag 'i' is given twice", 19),
        ("(/n == 1", "expected `)` to close the `(` at character 1, found the end of the condition", 8),
        ("/n == 1)", "expected `and`, `or` or the end of the condition, found ')'", 7),
        ("/n == 1 && /n == 2", "expected `and`, `or` or the end of the condition, found '&' (write `and`)", 8),
        ("not", "`not` needs a condition after it", 0),
        ("/a~2", "'~' in a path must be ~0 (for ~) or ~1 (for /)", 2),
        ("/n == 1 and", "expected a path (/text), a JSON value or `value`, found the end of the condition", 11),
        ("/n in", "`in` needs a path or a value after it", 3),
    ])
    func mistakesAreExplainedWithTheirPlace(_ text: String, _ message: String, _ offset: Int) {
        #expect(throws: ConditionError(message: message, offset: offset)) { try Condition.parse(text) }
    }

    @Test func aBadRegularExpressionIsRefusedWhereItStarts() {
        do {
            _ = try Condition.parse("/text matches /[a-/")
            Issue.record("accepted")
        } catch {
            #expect(error.offset == 14)
            #expect(error.message.hasPrefix("bad regular expression /[a-/: "))
        }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "(", count: 100) + "/a" + String(repeating: ")", count: 100)
        #expect(throws: ConditionError.self) { try Condition.parse(deep) }
        #expect((try? Condition.parse(String(repeating: "not ", count: 63) + "/a")) != nil)
    }

    @Test(arguments: [
        #"/text contains "rm" and not /tenant_id == "acme-corp""#, #"(/a == 1 or /b == 2) and /c"#, #"/a == 1 or /b == 2 and /c"#,
        #"not (/a and /b)"#, #"/"a b"/c matches /x\/y/im"#, "value in [1, 2]", #"/a/"" == null"#,
    ])
    func printingGivesBackTheSameCondition(_ text: String) throws {
        let condition = try Condition.parse(text)
        #expect(try Condition.parse(condition.description) == condition, "\(condition)")
    }

    @Test func breakpointsReadTheirThreeForms() throws {
        #expect(try Breakpoint.parse(id: 1, "blacklist").trigger == .plugin("blacklist", nil))
        let conditional = try Breakpoint.parse(id: 2, #"blacklist if /text contains "rm""#)
        #expect(conditional.spec == #"blacklist if /text contains "rm""#)
        #expect(try Breakpoint.parse(id: 3, "change /text").trigger == .change(JSONPointer(tokens: ["text"])))
        #expect(try Breakpoint.parse(id: 3, #"change /"a b"/0"#).spec == #"change /"a b"/0"#)
        #expect(try Breakpoint.parse(id: 3, "change value").spec == "change value")
        #expect(try Breakpoint.parse(id: 4, "error").trigger == .error)
        #expect(throws: ConditionError(message: "`break error` takes nothing after it", offset: 6)) { try Breakpoint.parse(id: 5, "error now") }
        #expect(throws: ConditionError(message: "`break change` needs a PATH (a JSON Pointer such as /text)", offset: 6)) {
            try Breakpoint.parse(id: 5, "change")
        }
        #expect(throws: ConditionError(message: "`break change` takes a PATH starting with /, found 'text'", offset: 7)) {
            try Breakpoint.parse(id: 5, "change text")
        }
        #expect(throws: ConditionError(message: "expected `if CONDITION` after the plugin, found 'when'", offset: 10)) {
            try Breakpoint.parse(id: 5, "blacklist when /a")
        }
        #expect(throws: ConditionError(message: "'==' needs a path or a value after it", offset: 19)) {
            try Breakpoint.parse(id: 5, "blacklist if /text ==")
        }
    }
}

@Suite struct JSONPointerTests {
    @Test func readsResolvesAndSets() throws {
        let value: JSONValue = ["a": ["b": [1, 2]], "x/y": 3, "t~": 4]
        #expect(try JSONPointer(parsing: "/a/b/1").resolve(in: value) == 2)
        #expect(try JSONPointer(parsing: "/x~1y").resolve(in: value) == 3)
        #expect(try JSONPointer(parsing: "/t~0").resolve(in: value) == 4)
        #expect(try JSONPointer(parsing: "").resolve(in: value) == value)
        #expect(try JSONPointer(parsing: "/a/b/01").resolve(in: value) == nil)
        #expect(try JSONPointer(parsing: "/a/b/-").setting(3, in: value)["a"]?["b"] == [1, 2, 3])
        #expect(try JSONPointer(parsing: "/new").setting("n", in: value)["new"] == "n")
        #expect(throws: JSONPointer.SetError(message: "/missing does not exist (nothing to put /missing/x in)")) {
            try JSONPointer(parsing: "/missing/x").setting(1, in: value)
        }
        #expect(throws: JSONPointer.SetError(message: "/a/b: no element 5 in an array of 2")) { try JSONPointer(parsing: "/a/b/5").setting(1, in: value) }
        #expect(throws: JSONPointer.ParseError(message: "a JSON Pointer starts with '/' (/text)", offset: 0)) { try JSONPointer(parsing: "text") }
        #expect(JSONPointer.all(in: ["a": ["b": 1], "c": [true]]).map(\.description) == ["/a", "/a/b", "/c", "/c/0"])
    }
}
