import Foundation
import PluginSystem
import Testing
import TestSupport

/// An error's facts are printed once: a value the host could not send has no traceback that is its
/// headline again, a thrown value that is not an Error says what it was once, an exception with no
/// message is named by its type alone.
@Suite(.serialized) struct ErrorsSaidOnceTests {
    static func directory() -> TempDir {
        let dir = TempDir()
        dir.write("kinds/k/v1.yaml", "kind: k\nkind_api_version: 1.0.0\nhooks:\n  - name: f\n    dispatch: singleton\n")
        dir.plugin("js", name: "js", kind: "k", priority: 20)
        dir.write("js/plugin.js", """
            export class Js {
              f(what) {
                if (what === "string") throw "a string";
                if (what === "object") throw { code: 7 };
                if (what === "null") throw null;
                return { n: 3n };
              }
            }

            """)
        dir.pythonPlugin("py", name: "py", kind: "k", priority: 10, code: """
            class Py:
                def f(self, what):
                    if what == "bare":
                        raise KeyError()
                    return {"tags": {1}}

            """)
        return dir
    }

    /// The error lines of `call k.f WHAT` with plugin PLUGIN activated (`DAGSTACK_ACTIVE_K`).
    func errorLines(_ dir: TempDir, _ plugin: String, _ what: String) async throws -> [String] {
        let result = try await runConsole([dir.path, "-c", "call k.f \"\(what)\""], in: dir.path, environment: ["DAGSTACK_ACTIVE_K": plugin])
        return result.stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix("  ") && !$0.hasPrefix("  no plugin") }
    }

    @Test func aThrownStringIsSaidOnceWithoutAStackItDoesNotHave() async throws {
        let dir = Self.directory()
        #expect(try await errorLines(dir, "js", "string") == [#"  PluginError: Plugin 'js' failed in k.f: threw a string, not an Error: "a string""#])
        #expect(try await errorLines(dir, "js", "object") == [#"  PluginError: Plugin 'js' failed in k.f: threw an object, not an Error: {"code":7}"#])
        #expect(try await errorLines(dir, "js", "null") == ["  PluginError: Plugin 'js' failed in k.f: threw null, not an Error"])
    }

    @Test func aValueJSONCannotCarryIsOneLineNamingThePluginOnce() async throws {
        let dir = Self.directory()
        #expect(try await errorLines(dir, "js", "value") == [
            "  SerializationError: Plugin 'js' failed in k.f: the hook returned a value JSON cannot carry: $.n: a BigInt (3n); JSON has no BigInt (return Number(x) or String(x))",
        ])
        #expect(try await errorLines(dir, "py", "value") == [
            "  SerializationError: Plugin 'py' failed in k.f: the hook returned a value JSON cannot carry: $.tags: a builtins.set cannot be carried as JSON",
        ])
    }

    @Test func anExceptionWithoutAMessageIsNamedByItsTypeAlone() async throws {
        let dir = Self.directory()
        let lines = try await errorLines(dir, "py", "bare")
        #expect(lines.first == "  PluginError: Plugin 'py' failed in k.f: KeyError", "\(lines)")
        #expect(lines.last == "    KeyError", "\(lines)")
        #expect(lines.dropFirst().first == "    Traceback (most recent call last):", "\(lines)")
    }
}
