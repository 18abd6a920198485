import Foundation
import PluginSystem
import Testing
import TestSupport

/// Every command once in text and once in JSON, each checked for what it must say.
@Suite struct EveryCommandTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var line: String
        /// A line the text output must contain.
        var text: String
        /// A field of the JSON result and its expected value.
        var field: String
        var value: JSONValue
        var testDescription: String { line }
    }

    static let cases: [Case] = [
        Case(line: "kinds", text: "query_rewriter  5 plugins", field: "kinds", value: .null),
        Case(line: "plugins chunker", text: "fixed   chunker  0          in_process  active", field: "plugins", value: .null),
        Case(line: "show spellfix", text: "  code                  stdio process perl spellfix.pl, pid ", field: "runtime", value: "mcp_stdio"),
        Case(line: "order chunker", text: "  1.   fixed              0", field: "kind", value: "chunker"),
        Case(line: #"trace query_rewriter.rewrite {"text": "LAUNCH"}"#, text: #"  output {"text":"start"}"#, field: "output", value: ["text": "start"]),
        Case(line: #"step query_rewriter.rewrite {"text": "x"}"#, text: "next: 1/5 normalizer (100) — next, into, continue, skip, set JSON, abort", field: "event", value: "started"),
        Case(line: #"call chunker.chunk {"text": "abc", "max_size": 2}"#, text: #"  fixed             [{"text":"ab","offset":0},{"text":"c","offset":2}]"#, field: "dispatch", value: "singleton"),
        Case(line: "disable blacklist", text: "disabled 'blacklist'", field: "state", value: "disabled"),
        Case(line: "enable blacklist", text: "'blacklist' is already active", field: "state", value: "active"),
        Case(line: "priority fixed 7", text: "'fixed' priority 0 → 7", field: "priority", value: 7),
        Case(line: "resources", text: "tenant_keywords", field: "resources", value: .null),
        Case(line: #"resource set tenant_keywords {"t": ["k"]}"#, text: "resource 'tenant_keywords' set; plugins set up again: 7 plugins, 7 active", field: "path", value: "plugins"),
        Case(line: "load plugins", text: "loaded plugins: 7 plugins, 7 active", field: "path", value: "plugins"),
        Case(line: "reload", text: "reloaded plugins: 7 plugins, 7 active", field: "path", value: "plugins"),
        Case(line: "help order", text: "order KIND[.HOOK]", field: "commands", value: .null),
        Case(line: "quit", text: "", field: "message", value: "bye"),
    ]

    func run(_ line: String, json: Bool) async throws -> (Int32, String) {
        var arguments = ["plugins", "-c", line]
        if json { arguments.append("--json") }
        let result = try await TestSupport.run(consoleBinary, arguments, environment: ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 },
                                         workingDirectory: packageRoot)
        return (result.status, result.stdout)
    }

    @Test(arguments: cases)
    func inText(_ c: Case) async throws {
        let (status, output) = try await run(c.line, json: false)
        #expect(status == 0)
        #expect(c.text.isEmpty ? output.isEmpty : output.contains(c.text), "\(output)")
    }

    @Test(arguments: cases)
    func inJSON(_ c: Case) async throws {
        let (status, output) = try await run(c.line, json: true)
        #expect(status == 0)
        let lines = output.split(separator: "\n")
        #expect(lines.count == 1, "one JSON document per command")
        let doc = try JSONValue.parse(String(lines.first ?? ""))
        #expect(doc["command"]?.stringValue == c.line.split(separator: " ").first.map(String.init))
        let field = try #require(doc[c.field], "\(doc)")
        if c.value != .null { #expect(field == c.value) }
    }
}
