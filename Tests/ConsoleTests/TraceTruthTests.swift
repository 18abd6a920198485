import Foundation
import PluginSystem
import Testing
import TestSupport

/// A trace, a step and a call show what each stage really did, and blame what is really at fault.
@Suite struct TraceTruthTests {
    /// Three Python stages that change the dict they receive and return it.
    func mutatingChain() -> TempDir {
        let dir = TempDir()
        for (name, priority) in [("a", 30), ("b", 20), ("c", 10)] {
            dir.pythonPlugin(name, name: name, kind: "q", priority: priority, code: """
                class Stage:
                    def rewrite(self, query):
                        query["\(name)"] = True
                        query["text"] += "\(name)"
                        return query
                """)
        }
        return dir
    }

    func ops(_ stage: JSONValue) -> [String] {
        stage["diff"]!.arrayValue!.map { "\($0["op"]!.stringValue!) \($0["path"]!.stringValue!) \($0["value"]!.encoded())" }
    }

    @Test func aStageThatChangesItsInputInPlaceIsBlamedOnlyForItsOwnChanges() async throws {
        let dir = mutatingChain()
        let (status, docs, stderr) = try await consoleJSON(dir.path, [#"trace q.rewrite {"text": ""}"#], in: dir.path)
        #expect(status == 0, "\(stderr)")
        let stages = docs[0]["stages"]!.arrayValue!
        #expect(stages.map(ops) == [
            [#"replace /text "a""#, "add /a true"],
            [#"replace /text "ab""#, "add /b true"],
            [#"replace /text "abc""#, "add /c true"],
        ])
        #expect(stages[0]["before"] == ["text": ""])
        #expect(stages[0]["after"] == ["text": "a", "a": true])
        #expect(stages[1]["before"] == ["text": "a", "a": true])
        #expect(docs[0]["output"] == ["text": "abc", "a": true, "b": true, "c": true])
    }

    /// A kind whose chain checks its input and output against one schema, a stage that passes the
    /// value through, and one that breaks the schema on a valid input.
    func schemaChain() -> TempDir {
        let dir = TempDir()
        dir.write("kinds/doc/v1.yaml", """
            kind: doc
            kind_api_version: 1.0.0
            hooks:
              - name: process
                dispatch: chain
                input_schema: schemas/doc.json
                output_schema: schemas/doc.json
            """)
        dir.write("kinds/doc/schemas/doc.json", #"{"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}"#)
        dir.pythonPlugin("passthrough", name: "passthrough", kind: "doc", priority: 20, code: """
            class Passthrough:
                def process(self, doc):
                    return doc
            """)
        dir.pythonPlugin("numberer", name: "numberer", kind: "doc", priority: 10, code: """
            class Numberer:
                def process(self, doc):
                    return {**doc, "id": 7}
            """)
        return dir
    }

    /// A stage whose value the console cannot read (two keys that differ only in normalisation) is
    /// that stage's error inside a batch of Python stages: the stages before it ran once — the
    /// console used to run the whole batch again stage by stage, and their side effects twice.
    @Test func aValueTheConsoleCannotReadFailsItsStageAndTheStagesBeforeRunOnce() async throws {
        let dir = TempDir()
        let log = dir.path + "/side.log"
        dir.pythonPlugin("side", name: "side", kind: "q", priority: 30, code: """
            class Side:
                def f(self, value):
                    open(\(String(reflecting: log)), "a").write("ran\\n")
                    return value
            """)
        dir.pythonPlugin("twins", name: "twins", kind: "q", priority: 20, code: """
            class Twins:
                def f(self, value):
                    return {**value, "caf\\u00e9": 1, "cafe\\u0301": 2}
            """)
        dir.pythonPlugin("after", name: "after", kind: "q", priority: 10, code: "class After:\n    def f(self, value):\n        return value\n")
        let (_, docs, stderr) = try await consoleJSON(dir.path, [#"trace q.f {"text": "x"}"#], in: dir.path)
        let trace = try #require(docs.first, "\(stderr)")
        let stages = trace["stages"]?.arrayValue ?? []
        #expect(stages.map { "\($0["plugin"]!.stringValue!):\($0["status"]!.stringValue!)" } == ["side:unchanged", "twins:error", "after:not_run"], "\(trace)")
        #expect(stages[1]["error"]?["code"] == "SerializationError", "\(stages[1])")
        #expect(stages[1]["error"]?["message"]?.stringValue?.contains("two keys differ only in Unicode normalisation") == true, "\(stages[1])")
        #expect((try? String(contentsOfFile: log, encoding: .utf8)) == "ran\n", "the stage before ran more than once")
    }

    @Test func inputThatBreaksTheInputSchemaIsBlamedOnTheInputBeforeStageOne() async throws {
        let dir = schemaChain()
        let expected = "input does not match schemas/doc.json at /id: expected string, got integer 5 (doc.process input_schema)"
        let (_, docs, stderr) = try await consoleJSON(
            dir.path, [#"trace doc.process {"id": 5}"#, #"step doc.process {"id": 5}"#, #"call doc.process {"id": 5}"#], in: dir.path)
        #expect(docs.count == 3, "\(stderr)")
        let trace = docs[0]
        #expect(trace["error"]?["message"]?.stringValue == expected)
        #expect(trace["error"]?["plugin"] == nil)
        #expect(trace["stages"]!.arrayValue!.map { $0["status"]!.stringValue! } == ["not_run", "not_run"])
        #expect(docs[1]["error"]?["message"]?.stringValue == "DispatchMismatch: " + expected)
        #expect(docs[2]["errors"]?[0]?["message"]?.stringValue == expected)
        #expect(docs[2]["answers"] == [])
    }

    @Test func aStageThatFailsTheOutputCheckStillShowsWhatItReturned() async throws {
        let dir = schemaChain()
        let (_, docs, stderr) = try await consoleJSON(dir.path, [#"trace doc.process {"id": "x"}"#], in: dir.path)
        let stages = try #require(docs.first?["stages"]?.arrayValue, "\(stderr)")
        #expect(stages.map { $0["status"]!.stringValue! } == ["unchanged", "error"])
        #expect(stages[1]["after"] == ["id": 7])
        #expect(ops(stages[1]) == ["replace /id 7"])
        #expect(stages[1]["error"]?["plugin"] == "numberer")
        let text = try await consoleText(dir.path, [#"trace doc.process {"id": "x"}"#], in: dir.path).lines
        #expect(text.contains(#"       ~ /id  "x" → 7"#))
    }

    /// first (stops on "stop"), second, third.
    func threeStages() -> TempDir {
        let dir = TempDir()
        dir.pythonPlugin("first", name: "first", kind: "k", priority: 30, code: """
            from dagstack.plugin_system import STOP_CHAIN

            class First:
                def h(self, value):
                    return STOP_CHAIN if value.get("stop") else {**value, "first": 1}
            """)
        for (name, priority) in [("second", 20), ("third", 10)] {
            dir.pythonPlugin(name, name: name, kind: "k", priority: priority, code: """
                from dagstack.plugin_system import STOP_CHAIN

                class Stage:
                    def h(self, value):
                        return STOP_CHAIN if value.get("stop_at") == "\(name)" else {**value, "\(name)": 1}
                """)
        }
        return dir
    }

    @Test func stepNumbersEachStageByItsPlaceInTheChain() async throws {
        let dir = threeStages()
        let stopped = try await consoleText(dir.path, [#"step k.h {"stop": true}"#, "next"], in: dir.path).lines
        #expect(stopped.contains { $0.hasPrefix("  1  first ") && $0.contains("stopped") }, "\(stopped)")
        #expect(!stopped.contains { $0.hasPrefix("  3  first") })
        let all = try await consoleText(dir.path, [#"step k.h {}"#, "next", "continue"], in: dir.path).lines
        #expect(all.filter { $0.hasPrefix("  ") && $0.contains("changed") }.map { String($0.prefix(12)) }
                == ["  1  first  ", "  2  second ", "  3  third  "], "\(all)")
        let early = try await consoleText(dir.path, [#"step k.h {"stop_at": "second"}"#, "continue"], in: dir.path).lines
        #expect(early.filter { $0.hasPrefix("  ") && ($0.contains("changed") || $0.contains("stopped")) }.map { String($0.prefix(12)) }
                == ["  1  first  ", "  2  second "], "\(early)")
    }

    @Test func switchesDuringAStepAreRefusedForTheSteppedChainAndTheStepRunsAsShown() async throws {
        let dir = threeStages()
        let (_, docs, _) = try await consoleJSON(
            dir.path, [#"step k.h {}"#, "disable second", "priority third 99", "continue", "disable second"], in: dir.path)
        #expect(docs[1]["error"]?["message"]?.stringValue
                == "cannot disable 'second' while stepping k.h: the step runs the order it started with; `abort` it first")
        #expect(docs[2]["error"]?["message"]?.stringValue
                == "cannot change the priority of 'third' while stepping k.h: the step runs the order it started with; `abort` it first")
        let trace = docs[3]["trace"]!
        #expect(trace["stages"]!.arrayValue!.map { $0["plugin"]!.stringValue! + ":" + $0["status"]!.stringValue! }
                == ["first:changed", "second:changed", "third:changed"])
        #expect(docs[4]["state"] == "disabled")
    }
}
