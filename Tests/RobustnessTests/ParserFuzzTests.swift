import Foundation
import Inspector
import PluginSystem
import Testing
import TestSupport
@testable import Console

/// Property-based fuzzing of every parser that reads outside input: random and mutated inputs must
/// give a value or a clear error, never a crash; valid values must round-trip.
@Suite struct ParserFuzzTests {
    static let jsonAlphabet = Array(#"{}[]:,"\-+.0123456789eEtruefalsn \u"#.utf8)
    static let tomlAlphabet = Array("[]=\"'.,#\n plugin name kind runtime core_version priority{}0123456789_-".utf8)

    /// A random JSON value, for the round-trip property.
    static func value(_ g: inout Fuzz, depth: Int = 0) -> JSONValue {
        switch g.int(0...(depth > 3 ? 4 : 6)) {
        case 0: return .null
        case 1: return .bool(g.chance(50))
        case 2: return .int(Int(truncatingIfNeeded: g.next()) >> g.int(0...60))
        case 3: return .double(Double(g.int(-1_000_000...1_000_000)) / Double(g.int(1...1000)))
        case 4:
            let scalars = (0..<g.int(0...12)).compactMap { _ in UnicodeScalar(UInt32(g.pick([0x41, 0x22, 0x5C, 0x0A, 0x01, 0xE9, 0x1F600, 0x7F, 0x20]))) }
            return .string(String(String.UnicodeScalarView(scalars)))
        case 5: return .array((0..<g.int(0...4)).map { _ in value(&g, depth: depth + 1) })
        default:
            var o = JSONObject()
            for i in 0..<g.int(0...4) { o["k\(i)\(g.pick(["", "/", "~", "é"]))"] = value(&g, depth: depth + 1) }
            return .object(o)
        }
    }

    @Test func jsonRoundTripsAndRejectsGarbageCleanly() {
        var g = Fuzz(seed: 1)
        for iteration in 0..<Fuzz.iterations {
            let v = Self.value(&g)
            let text = v.encoded()
            guard let back = try? JSONValue.parse(text) else {
                Issue.record("iteration \(iteration): \(text) did not parse back")
                continue
            }
            #expect(back.numericallyEquals(v), "iteration \(iteration): \(text)")
            let mutated = g.mutate(Array(text.utf8), alphabet: Self.jsonAlphabet)
            do {
                _ = try JSONValue.parse(bytes: mutated)
            } catch {
                #expect(error.line >= 1 && error.column >= 1 && !error.message.isEmpty)
            }
        }
    }

    /// Found by the fuzzer: toml++ aborted on these in debug builds.
    @Test(arguments: ["[:lugin]\nname = \"x\"", "[ :x]", "[[:x]]", "  [;x]\n", "a = 1\n[\t%x]", "[\n\u{FFFD}r]", "d = [\"a\",}e8, \"b\"]"])
    func tableHeadersThatCrashedTheTOMLParserAreErrors(text: String) {
        #expect(throws: DagstackError.self) { try ManifestLoader.parse(toml: text, source: "crash.toml") }
    }

    @Test func theHeaderGuardLeavesValidTOMLAlone() throws {
        let text = #"""
            [plugin]
            name = "x"   # [:not a header]
            kind = "k"
            runtime = "in_process"
            core_version = ">=0.1"
            depends_on = [
            "a", "b",
            ]
            description = """
            [:also not a header]
            """
            [plugin.metadata]
            s = '[:x]'
            t = [{a = 1}, {b = 2}]
            nested = [
            [":not", "a header"],
            ]
            """#
        #expect(try ManifestLoader.parse(toml: text, source: "ok.toml").metadata["s"] == "[:x]")
    }

    @Test func manifestLoaderNeverCrashesOnMutatedTOML() {
        let valid = Array(ManifestTestInputs.seed.utf8)
        var g = Fuzz(seed: 2)
        var accepted = 0, rejected = 0
        for _ in 0..<Fuzz.iterations {
            let text = String(decoding: g.mutate(valid, alphabet: Self.tomlAlphabet), as: UTF8.self)
            // FUZZ_TRACE=FILE keeps the input being parsed, to recover one that crashes the process.
            if let trace = ProcessInfo.processInfo.environment["FUZZ_TRACE"] { try? text.write(toFile: trace, atomically: false, encoding: .utf8) }
            do {
                _ = try ManifestLoader.parse(toml: text, source: "fuzz.toml")
                accepted += 1
            } catch {
                #expect(error.code == .manifestInvalid)
                #expect(error.message.contains("fuzz.toml"))
                rejected += 1
            }
        }
        #expect((try? ManifestLoader.parse(toml: ManifestTestInputs.seed, source: "seed.toml")) != nil, "the seed itself is valid")
        #expect(accepted + rejected == Fuzz.iterations)
        #expect(rejected > 0)
    }

    @Test func sessionReaderNeverCrashesOnMutatedFiles() throws {
        let dir = TempDir()
        let good = try String(contentsOfFile: packageRoot + "/sessions/chunker.jsonl", encoding: .utf8)
        var g = Fuzz(seed: 3)
        var usable = 0
        for iteration in 0..<min(Fuzz.iterations, 500) {
            let bytes = g.mutate(Array(good.utf8), alphabet: Self.jsonAlphabet + [0x0A])
            let path = dir.path + "/f\(iteration).jsonl"
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            do {
                _ = try SessionFile.read(path)
                usable += 1
            } catch {
                #expect(error.message.hasPrefix(path), "\(error.message)")
            }
        }
        #expect(usable < min(Fuzz.iterations, 500))
    }

    static let conditionWords = [
        "/text", "/tags/0", "/\"a b\"", "/a~1b", "/a~2", "value", "==", "!=", "<", "<=", ">", ">=", "in", "contains", "matches",
        "/rm/i", "/[a-/", "/x\\/y/m", "and", "or", "not", "(", ")", "\"rm\"", "\"", "3", "-2.5e3", "null", "true", "[1, 2]", "{\"a\": 1}", "{",
    ]
    static let conditionAlphabet = Array("/\"~()[]{}<>=!,. aeinortvs0123456789\\".utf8)

    /// Breakpoint conditions: random token soups and mutated valid conditions give a condition or an
    /// error whose place is inside the text (where the caret goes), never a crash; a condition that
    /// parses prints back to itself and evaluates on any value.
    @Test func conditionParserNeverCrashesAndPointsInsideTheText() {
        let valid = [#"/text contains "rm" and not /tenant_id == "acme-corp""#, #"(/n > 2 or "a" in /tags) and /text matches /^how/i"#]
        var g = Fuzz(seed: 5)
        var parsed = 0, refused = 0
        for iteration in 0..<Fuzz.iterations {
            let text = g.chance(50)
                ? (0..<g.int(1...8)).map { _ in g.pick(Self.conditionWords) }.joined(separator: g.pick([" ", "", "  "]))
                : String(decoding: g.mutate(Array(g.pick(valid).utf8), alphabet: Self.conditionAlphabet), as: UTF8.self)
            do {
                let condition = try Condition.parse(text)
                parsed += 1
                #expect((try? Condition.parse(condition.description)) == condition, "iteration \(iteration): \(text) printed as \(condition)")
                _ = condition.evaluate(Self.value(&g))
            } catch {
                refused += 1
                #expect(!error.message.isEmpty)
                #expect(error.offset >= 0 && error.offset <= text.count, "iteration \(iteration): \(text) → offset \(error.offset)")
            }
        }
        #expect(parsed > 0 && refused > 0, "parsed \(parsed), refused \(refused)")
    }

    @Test func commandLinesNeverCrashTheConsole() async throws {
        let console = ConsoleState()
        let dir = TempDir()
        dir.plugin("p", name: "p", kind: "k")
        dir.write("p/plugin.py", "class P:\n    def work(self, ctx, value):\n        return value\n")
        _ = await console.start(dir.path)
        let words = CommandTable.names + StepCommand.verbs + ["k.work", "k", "p", "{", "}", "[1,", "\"", "--check", "--step", "..", "/", "reset", "-1"]
        var g = Fuzz(seed: 4)
        for _ in 0..<min(Fuzz.iterations, 1500) {
            var parts: [String] = []
            for _ in 0..<g.int(1...5) {
                parts.append(g.chance(80) ? g.pick(words) : String(decoding: g.bytes(g.int(1...6), alphabet: Array("{}[]\":, kp.".utf8)), as: UTF8.self))
            }
            let line = parts.joined(separator: g.pick([" ", "  ", "\t"]))
            if line.hasPrefix("quit") || line.hasPrefix("exit") || line.hasPrefix("load") || line.hasPrefix("record") { continue }
            if let result = await console.execute(line) {
                #expect(result.error == nil || !result.error!.message.isEmpty)
            }
        }
        await console.close()
    }
}

enum ManifestTestInputs {
    /// The seed's chunker manifest with more fields to mutate.
    static let seed = seedChunkerManifest + """

        [plugin.unit_of_work]
        idempotency_mode = "output_hash"
        """
}
