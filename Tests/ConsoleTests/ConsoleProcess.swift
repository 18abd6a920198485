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
    /// A Python plugin: its manifest and `plugin.py` (indented as in a Swift literal; kept as written).
    func pythonPlugin(_ folder: String, name: String, kind: String, priority: Int = 0, code: String, extra: String = "") {
        plugin(folder, name: name, kind: kind, priority: priority, extra: extra)
        write("\(folder)/plugin.py", code)
    }
}
