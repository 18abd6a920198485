import Foundation
import PluginHosts
import PluginSystem

// Loads a plugin directory and shows what came up. (Replaced by the console.)
let directory = CommandLine.arguments.dropFirst().first ?? "plugins"
let loaded = await PluginDirectory.load(directory)
for record in loaded.registry.records {
    print("\(record.name)  kind=\(record.kind)  priority=\(record.priority)  \(record.state.name)\(record.state.reason.map { ": \($0)" } ?? "")")
}
for problem in loaded.problems { print("problem \(problem.source): \(problem.error)") }
if CommandLine.arguments.count > 2 {
    do {
        let outcome = try await ChainDispatcher(loaded.registry).dispatch(
            "query_rewriter", "rewrite", initial: try JSONValue.parse(CommandLine.arguments[2]))
        for answer in outcome.answers { print("  \(answer.plugin): \(answer.reply.output.wire) \(answer.reply.logs.map(\.text))") }
        print(outcome.value)
        let chunks = try await SingletonDispatcher(loaded.registry).dispatch("chunker", "chunk", HookArguments(named: ["text": "Hello, dagstack!", "max_size": 5]))
        print(chunks.reply.output.wire)
    } catch { print("error: \(error)") }
}
await loaded.close()
