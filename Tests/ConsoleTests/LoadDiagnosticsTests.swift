import Foundation
import PluginSystem
import Testing
import TestSupport

/// Mistakes in a plugin directory are said at load, not discovered at the first surprise; and
/// commands that name a kind say what is wrong with it.
@Suite struct LoadDiagnosticsTests {
    /// Kind `k` declares hook `f`; `typo` implements `ff` instead, `right` implements `f`.
    func typoDirectory(schema: String = #"{"type": "object"}"#) -> TempDir {
        let dir = TempDir()
        dir.write("kinds/k/v1.yaml", """
            kind: k
            kind_api_version: 1.0.0
            hooks:
              - name: f
                dispatch: chain
                input_schema: schemas/doc.json
                output_schema: schemas/doc.json
            """)
        dir.write("kinds/k/schemas/doc.json", schema)
        dir.pythonPlugin("typo", name: "typo", kind: "k", priority: 2, code: "class Typo:\n    def ff(self, value):\n        return value\n")
        dir.pythonPlugin("right", name: "right", kind: "k", priority: 1, code: "class Right:\n    def f(self, value):\n        return value\n")
        return dir
    }

    @Test func aPluginThatImplementsNoneOfItsKindsHooksIsNamedAtLoadWithTheNearMiss() async throws {
        let dir = typoDirectory()
        let result = try await runConsole([dir.path, "-c", "kinds"], in: dir.path)
        #expect(result.stderr.contains("Plugin 'typo' (kind 'k') implements none of the hooks"), "\(result.stderr)")
        #expect(result.stderr.contains("its method 'ff' looks like 'f'"), "\(result.stderr)")
        #expect(!result.stderr.contains("Plugin 'right'"))
    }

    /// A kind name with a typo makes a kind of its own, with no hookspec: the plugin loads, takes
    /// part in nothing of the kind it meant, and nothing said so.
    @Test func aKindWithoutAHookspecNearOneThatHasOneIsNamedAtLoad() async throws {
        let dir = typoDirectory()
        dir.pythonPlugin("stray", name: "stray", kind: "kk", code: "class Stray:\n    def f(self, value):\n        return value\n")
        let result = try await runConsole([dir.path, "-c", "kinds"], in: dir.path)
        #expect(result.stderr.contains(
            "Plugin 'stray' has kind 'kk', which no hookspec declares: did you mean kind 'k' (\(dir.path)/kinds/k/v1.yaml)?"),
            "\(result.stderr)")
        // Its twin: a kind without a hookspec and no kind near it is a choice, not a typo.
        let clean = typoDirectory()
        clean.pythonPlugin("own", name: "own", kind: "storage", code: "class Own:\n    def put(self, value):\n        return value\n")
        let ok = try await runConsole([clean.path, "-c", "kinds"], in: clean.path)
        #expect(!ok.stderr.contains("no hookspec declares"), "\(ok.stderr)")
    }

    /// A failed plugin's whole error is said at load and by `show`; `order` and `trace` give its
    /// first line, cut to a line, and say where the rest is.
    @Test func aFailedPluginsLongErrorIsBriefInOrderAndTrace() async throws {
        let dir = typoDirectory()
        dir.pythonPlugin("broken", name: "broken", kind: "k", priority: 3, code: "class Broken:\n    def f(self, value):\n        return value\n    def setup(self, ctx):\n        raise RuntimeError('the database at postgres://db.internal.example:5432/plugins refused the connection: ' + 'x' * 80)\n")
        let result = try await consoleText(dir.path, ["order k", #"trace k.f {"a": 1}"#, "show broken"], in: dir.path)
        let order = try #require(result.lines.first { $0.contains(" broken ") && $0.contains("failed") }, "\(result.lines)")
        let stage = try #require(result.lines.first { $0.hasPrefix("  1  broken ") }, "\(result.lines)")
        for line in [order, stage] {
            #expect(line.hasSuffix("… (`show broken` has it all)"), "\(line)")
            #expect(line.count < 180, "\(line)")
        }
        #expect(result.lines.contains { $0.contains("refused the connection: " + String(repeating: "x", count: 80)) }, "show has it all: \(result.lines)")
    }

    @Test func aSchemaThatIsNotAJSONSchemaIsRejectedAtLoadWithItsFileAndPointer() async throws {
        let dir = typoDirectory(schema: #"{"type": "object", "properties": {"id": {"type": "objekt"}}}"#)
        let (_, docs, stderr) = try await consoleJSON(dir.path, ["kinds"], in: dir.path)
        _ = docs
        #expect(stderr.contains("schemas/doc.json is not a valid JSON Schema at /properties/id/type: \"objekt\" is not a type"), "\(stderr)")
        let clean = typoDirectory(schema: #"{"type": "object", "properties": {"id": {"type": "string"}}}"#)
        let ok = try await runConsole([clean.path, "-c", "kinds"], in: clean.path)
        #expect(!ok.stderr.contains("not a valid JSON Schema"), "\(ok.stderr)")
    }

    @Test func anExceptionInACapabilityPluginsMatchesIsShown() async throws {
        let dir = TempDir()
        dir.write("kinds/parser/v1.yaml", "kind: parser\nkind_api_version: 1.0.0\nhooks:\n  - name: parse\n    dispatch: capability\n")
        dir.pythonPlugin("picky", name: "picky", kind: "parser", priority: 10, code: """
            class Picky:
                def matches(self, ctx, payload):
                    raise KeyError("language")

                def parse(self, payload):
                    return "picky"
            """)
        dir.pythonPlugin("any", name: "any", kind: "parser", code: "class Any:\n    def parse(self, payload):\n        return 'any'\n",
                         extra: "fallback = true")
        let (_, docs, stderr) = try await consoleJSON(dir.path, [#"call parser.parse {"payload": {"text": "x"}}"#], in: dir.path)
        let call = try #require(docs.first, "\(stderr)")
        #expect(call["matched_by"] == "fallback")
        #expect(call["answers"]?[0]?["plugin"] == "any")
        #expect(call["errors"]?[0]?["plugin"] == "picky", "\(call)")
        #expect(call["errors"]?[0]?["exception_type"] == "KeyError", "\(call)")
    }

    @Test func kindMistakesInOrderAndPluginsNameTheNearestKindAndSayWhy() async throws {
        let misspelt = try await consoleText("plugins", ["order query_rewritr", "plugins query_rewritr", "order horizontal_middleware"], in: packageRoot)
        #expect(misspelt.lines.filter { $0.hasPrefix("error: unknown kind 'query_rewritr'; did you mean 'query_rewriter'?") }.count == 2, "\(misspelt.lines)")
        #expect(misspelt.lines.contains("  'horizontal_middleware' is a middleware kind: it is not dispatched; its plugins wrap other kinds' hooks"), "\(misspelt.lines)")
        #expect(misspelt.lines.contains { $0.hasPrefix("  wrap governance") && $0.hasSuffix("wraps every hook of every kind") }, "\(misspelt.lines)")
        let dir = TempDir()
        dir.pythonPlugin("broken", name: "broken", kind: "pinger", code: "raise ImportError('no such library')\n")
        let failed = try await consoleText(dir.path, ["call pinger.ping"], in: dir.path)
        #expect(failed.lines.first?.hasPrefix("error: kind 'pinger' has no known hooks (it has no hookspec, and none of its plugins is loaded to tell): 'broken' is failed") == true,
                "\(failed.lines)")
    }
}
