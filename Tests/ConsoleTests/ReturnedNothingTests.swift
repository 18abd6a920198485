import Foundation
import PluginSystem
import Testing
import TestSupport

/// A hook that returns nothing — `undefined` from a TypeScript or JavaScript hook, `None` from a
/// Python one — goes as null on the wire; the console says what the plugin did in its language's
/// words, and when the hook changed its input in place instead, that a chain does not pass that on.
@Suite(.serialized) struct ReturnedNothingTests {
    /// A chain `k.f`: `mutates` (TypeScript, changes its input in place and returns nothing),
    /// `forgets` (JavaScript, returns nothing and changes nothing) and `py-mutates` (Python, the
    /// same mistake as `mutates`), each alone at its priority; `keeps` passes the value on.
    static func directory(outputSchema: Bool = false) -> TempDir {
        let dir = TempDir()
        let schema = outputSchema ? "\n    output_schema: schemas/doc.json" : ""
        dir.write("kinds/k/v1.yaml", "kind: k\nkind_api_version: 1.0.0\nhooks:\n  - name: f\n    dispatch: chain\(schema)\n")
        dir.write("kinds/k/schemas/doc.json", #"{"type": "object"}"#)
        dir.plugin("mutates", name: "mutates", kind: "k", priority: 30)
        dir.write("mutates/plugin.ts", "export class Mutates {\n  f(doc: { text: string }): void {\n    doc.text = doc.text.toUpperCase();\n  }\n}\n")
        dir.plugin("keeps", name: "keeps", kind: "k", priority: 20)
        dir.write("keeps/plugin.ts", "export class Keeps {\n  f(doc: unknown) {\n    return doc;\n  }\n}\n")
        return dir
    }

    @Test func aTypeScriptHookReturningUndefinedAfterChangingItsInputSaysSo() async throws {
        let dir = Self.directory()
        let (status, lines, stderr) = try await consoleText(dir.path, [#"trace k.f {"text": "a"}"#], in: dir.path)
        #expect(status == 0, "\(stderr)")
        let untimed = NodeConsoleTests.untimed(lines)
        #expect(Array(untimed.prefix(6)) == [
            "trace k.f",
            #"  input  {"text":"a"}"#,
            "  1  mutates     30    changed",
            "       returned nothing (undefined): the next stage gets null; it changed its input in place, but a chain passes on what a hook returns — `return` the value",
            #"       ~ (value)  {"text":"a"} → null"#,
            "  2  keeps       20    unchanged",
        ], "\(lines)")
        #expect(untimed.contains("  output null"))
        let docs = try await consoleJSON(dir.path, [#"trace k.f {"text": "a"}"#], in: dir.path).documents
        #expect(docs.first?["stages"]?[0]?["returned_nothing"] == ["as": "undefined", "input_changed": true])
        #expect(docs.first?["stages"]?[1]?["returned_nothing"] == nil)
    }

    @Test func aJavaScriptHookReturningUndefinedWithoutChangingItsInput() async throws {
        let dir = TempDir()
        dir.write("kinds/k/v1.yaml", "kind: k\nkind_api_version: 1.0.0\nhooks:\n  - name: f\n    dispatch: chain\n")
        dir.plugin("forgets", name: "forgets", kind: "k", priority: 30)
        dir.write("forgets/plugin.js", "export class Forgets {\n  f(doc) {\n    console.log(doc.text);\n  }\n}\n")
        let lines = try await consoleText(dir.path, [#"trace k.f {"text": "a"}"#, #"call k.f {"text": "b"}"#], in: dir.path).lines
        #expect(lines.contains("       returned nothing (undefined): the next stage gets null"), "\(lines)")
        #expect(lines.contains("  forgets           null  (returned nothing (undefined))"), "\(lines)")
    }

    @Test func aPythonHookReturningNoneSaysNoneInTheSameWay() async throws {
        let dir = TempDir()
        dir.write("kinds/k/v1.yaml", "kind: k\nkind_api_version: 1.0.0\nhooks:\n  - name: f\n    dispatch: chain\n")
        dir.pythonPlugin("py-mutates", name: "py-mutates", kind: "k", priority: 30,
                         code: "class PyMutates:\n    def f(self, doc):\n        doc[\"text\"] = doc[\"text\"].upper()\n")
        dir.pythonPlugin("py-forgets", name: "py-forgets", kind: "k", priority: 20,
                         code: "class PyForgets:\n    def f(self, doc):\n        pass\n")
        let lines = try await consoleText(dir.path, [#"trace k.f {"text": "a"}"#], in: dir.path).lines
        #expect(lines.contains(
            "       returned None: the next stage gets None (null); it changed its input in place, but a chain passes on what a hook returns — `return` the value"),
            "\(lines)")
        #expect(lines.contains("       returned None: the next stage gets None (null)"), "\(lines)")
        // A stage that returns None on purpose (it got None) is unchanged, and said so all the same.
        #expect(lines.contains { $0.hasPrefix("  2  py-forgets  20    unchanged") }, "\(lines)")
    }

    @Test func anOutputSchemaViolationSaysNothingWasReturnedNotNull() async throws {
        let dir = Self.directory(outputSchema: true)
        let (_, docs, _) = try await consoleJSON(dir.path, [#"trace k.f {"text": "a"}"#], in: dir.path)
        let message = docs.first?["stages"]?[0]?["error"]?["message"]?.stringValue
        #expect(message?.hasPrefix("Plugin 'mutates' returned nothing (undefined), expected object (k.f output_schema ") == true, "\(docs)")
        #expect(message?.hasSuffix("/schemas/doc.json); it changed its input in place, but a chain passes on what a hook returns — `return` the value") == true,
                "\(docs)")
        #expect(docs.first?["stages"]?[0]?["returned_nothing"] == ["as": "undefined", "input_changed": true], "\(docs)")
    }

    /// A Python stage after another one (both in one exchange with the host) that changes the value
    /// it was handed in place and returns None: said so, with an output schema and without one.
    @Test(arguments: [false, true]) func aLaterPythonStageReturningNoneAfterChangingItsInputSaysSo(outputSchema: Bool) async throws {
        let dir = TempDir()
        let schema = outputSchema ? "\n    output_schema: schemas/doc.json" : ""
        dir.write("kinds/k/v1.yaml", "kind: k\nkind_api_version: 1.0.0\nhooks:\n  - name: f\n    dispatch: chain\(schema)\n")
        dir.write("kinds/k/schemas/doc.json", #"{"type": "object"}"#)
        dir.pythonPlugin("py-adds", name: "py-adds", kind: "k", priority: 40,
                         code: "class PyAdds:\n    def f(self, doc):\n        return {**doc, \"n\": 1}\n")
        dir.pythonPlugin("py-mutates", name: "py-mutates", kind: "k", priority: 30,
                         code: "class PyMutates:\n    def f(self, doc):\n        doc[\"text\"] = doc[\"text\"].upper()\n")
        let hint = "it changed its input in place, but a chain passes on what a hook returns — `return` the value"
        let lines = try await consoleText(dir.path, [#"trace k.f {"text": "a"}"#], in: dir.path).lines
        if outputSchema {
            let error = lines.first { $0.contains("DispatchMismatch: Plugin 'py-mutates' returned None, expected object (k.f output_schema ") }
            #expect(error?.hasSuffix("/schemas/doc.json); " + hint) == true, "\(lines)")
        } else {
            #expect(lines.contains("       returned None: the next stage gets None (null); " + hint), "\(lines)")
        }
        let docs = try await consoleJSON(dir.path, [#"trace k.f {"text": "a"}"#], in: dir.path).documents
        #expect(docs.first?["stages"]?[1]?["status"] == (outputSchema ? "error" : "changed"), "\(docs)")
        #expect(docs.first?["stages"]?[1]?["returned_nothing"] == ["as": "None", "input_changed": true], "\(docs)")
        #expect(docs.first?["stages"]?[0]?["returned_nothing"] == nil, "\(docs)")
    }
}
