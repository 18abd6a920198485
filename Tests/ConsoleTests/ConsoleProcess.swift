import Foundation
import PluginSystem
import TestSupport

/// The built console run to completion in `directory` (no colour), as a script or a CI job runs it.
func runConsole(_ arguments: [String], in directory: String, environment: [String: String] = [:])
    async throws -> (status: Int32, stdout: String, stderr: String)
{
    let env = ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 }.merging(environment) { $1 }
    return try await run(consoleBinary, arguments, environment: env, workingDirectory: directory)
}

/// `commands` run with `-c` and `--json` on `plugins`: one parsed document per command.
func consoleJSON(_ plugins: String, _ commands: [String], in directory: String, extra: [String] = [])
    async throws -> (status: Int32, documents: [JSONValue], stderr: String)
{
    let result = try await runConsole([plugins, "--json"] + extra + commands.flatMap { ["-c", $0] }, in: directory)
    let documents = try result.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
    return (result.status, documents, result.stderr)
}

/// `commands` run with `-c` on `plugins` in text: stdout's lines.
func consoleText(_ plugins: String, _ commands: [String], in directory: String, extra: [String] = [])
    async throws -> (status: Int32, lines: [String], stderr: String)
{
    let result = try await runConsole([plugins] + extra + commands.flatMap { ["-c", $0] }, in: directory)
    return (result.status, result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init), result.stderr)
}

extension TempDir {
    /// A stdio plugin (a Python script, hook `h`) that answers `initialize` and `shutdown`; `startup`
    /// runs first, `onCall` (lines at any indentation, `request` and `answer(result)` in scope) for
    /// every other request.
    func stdioPlugin(_ folder: String, name: String, kind: String, startup: String = "", onCall: String) {
        plugin(folder, name: name, kind: kind, runtime: "mcp_stdio", extra: #"command = ["python3", "server.py"]"#)
        let body = onCall.split(separator: "\n").map { "        " + $0 }.joined(separator: "\n")
        write("\(folder)/server.py", """
            import json, os, sys, time

            def answer(result):
                print(json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": result}), flush=True)

            \(startup)
            for line in sys.stdin:
                request = json.loads(line)
                if request["method"] == "initialize":
                    answer({"hooks": ["h"]})
                elif request["method"] == "shutdown":
                    answer(None)
                    break
                else:
            \(body)

            """)
    }

    /// A Python plugin: its manifest and `plugin.py` (indented as in a Swift literal; kept as written).
    func pythonPlugin(_ folder: String, name: String, kind: String, priority: Int = 0, code: String, extra: String = "") {
        plugin(folder, name: name, kind: kind, priority: priority, extra: extra)
        write("\(folder)/plugin.py", code)
    }
}
