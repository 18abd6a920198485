import Foundation
import PluginSystem
import Testing
import TestSupport

/// A recording made before a result's shape changed (session format 3) replays clean on this
/// console: the replay compares both sides in the shape the file was recorded in.
@Suite struct OlderRecordingTests {
    /// A chain `k.f` whose first Python stage returns None after changing its input in place.
    static func directory() -> TempDir {
        let dir = TempDir()
        dir.write("plugins/kinds/k/v1.yaml", "kind: k\nkind_api_version: 1.0.0\nhooks:\n  - name: f\n    dispatch: chain\n")
        dir.pythonPlugin("plugins/in-place", name: "in-place", kind: "k", priority: 20,
                         code: "class InPlace:\n    def f(self, doc):\n        doc[\"n\"] = 1\n")
        dir.pythonPlugin("plugins/other", name: "other", kind: "k", priority: 10, code: "class Other:\n    def f(self, doc):\n        return {\"doc\": doc}\n")
        return dir
    }

    static let commands = [#"trace k.f {"text": "a"}"#, #"step k.f {"text": "b"}"#, "next", "abort", "history", #"call k.f {"text": "c"}"#]

    /// The recording `file` as a version 3 console wrote it: no `returned_nothing`, an aborted
    /// walk's value as its output.
    static func asVersion3(_ text: String) throws -> String {
        var lines = try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        guard case .object(var header) = lines[0] else { return text }
        header["version"] = 3
        lines[0] = .object(header)
        func strip(_ value: JSONValue) -> JSONValue {
            switch value {
            case .object(var o):
                o["returned_nothing"] = nil
                if o["aborted"] == true { o["output"] = o["reached"]; o["aborted"] = nil; o["reached"] = nil }
                if o["event"] == "aborted" { o["aborted"] = nil }
                if o["status"] == "aborted", let reached = o["reached"] { o["output"] = reached; o["reached"] = nil }
                return .object(o.mapValues(strip))
            case .array(let a): return .array(a.map(strip))
            default: return value
            }
        }
        return lines.enumerated().map { $0.offset == 0 ? $0.element.encoded() : strip($0.element).encoded() }.joined(separator: "\n") + "\n"
    }

    @Test func aVersion3RecordingWithAnAbortAndANoneReplaysSame() async throws {
        let dir = Self.directory()
        let recorded = try await runConsole(["plugins", "--record", "now"] + Self.commands.flatMap { ["-c", $0] }, in: dir.path)
        let now = try String(contentsOfFile: dir.path + "/sessions/now.jsonl", encoding: .utf8)
        #expect(now.contains(#""returned_nothing":{"as":"None","input_changed":true}"#), "\(recorded.stdout)")
        #expect(now.contains(#""reached":"#))
        let old = try Self.asVersion3(now)
        dir.write("sessions/old.jsonl", old)
        let replay = try await runConsole(["--replay", "sessions/old.jsonl", "plugins", "--json"], in: dir.path)
        let report = try JSONValue.parse(replay.stdout)
        #expect(replay.status == 0, "\(replay.stdout)")
        #expect(report["same"] == .int(Self.commands.count))
        // The same file claiming version 4 (or later) differs: the shape it holds is version 3's.
        dir.write("sessions/mislabelled.jsonl", old.replacingOccurrences(of: #""version":3"#, with: #""version":4"#))
        let mislabelled = try await runConsole(["--replay", "sessions/mislabelled.jsonl", "plugins", "--json"], in: dir.path)
        #expect(mislabelled.status == 1, "\(mislabelled.stdout)")
    }

    @Test func aVersion4RecordingWithPositionalArrayDiffsReplaysSame() async throws {
        let dir = TempDir()
        dir.write("plugins/kinds/k/v1.yaml", "kind: k\nkind_api_version: 1.0.0\nhooks:\n  - name: f\n    dispatch: chain\n")
        dir.pythonPlugin("plugins/front", name: "front", kind: "k", code: "class Front:\n    def f(self, doc):\n        return {**doc, \"tags\": [\"go\"] + doc[\"tags\"]}\n")
        let trace = #"trace k.f {"tags": ["typescript", "python"]}"#
        _ = try await runConsole(["plugins", "--record", "now", "-c", trace], in: dir.path)
        let now = try String(contentsOfFile: dir.path + "/sessions/now.jsonl", encoding: .utf8)
        let element = #"[{"op":"add","path":"/tags/0","value":"go"}]"#
        #expect(now.contains(#""diff":\#(element)"#), "\(now)")
        // As a version 4 console recorded it: the array compared position by position.
        let positional = #"[{"op":"replace","path":"/tags/0","value":"go","old":"typescript"},{"op":"replace","path":"/tags/1","value":"typescript","old":"python"},{"op":"add","path":"/tags/2","value":"python"}]"#
        let old = now.replacingOccurrences(of: #""version":5"#, with: #""version":4"#).replacingOccurrences(of: element, with: positional)
        dir.write("sessions/v4.jsonl", old)
        let replay = try await runConsole(["--replay", "sessions/v4.jsonl", "plugins", "--json"], in: dir.path)
        #expect(replay.status == 0, "\(replay.stdout)")
        dir.write("sessions/mislabelled.jsonl", old.replacingOccurrences(of: #""version":4"#, with: #""version":5"#))
        let mislabelled = try await runConsole(["--replay", "sessions/mislabelled.jsonl", "plugins", "--json"], in: dir.path)
        #expect(mislabelled.status == 1, "\(mislabelled.stdout)")
    }
}
