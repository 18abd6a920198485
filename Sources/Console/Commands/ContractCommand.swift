import Foundation
import PluginHosts
import PluginSystem

/// `contract PLUGIN [--check NAME]... [--sample HOOK=JSON]...`: check a plugin against the runtime
/// invariants on fresh instances of it.
enum ContractCommand {
    static let usage = "contract PLUGIN [--check NAME]... [--sample HOOK=JSON]..."

    static let spec = CommandSpec(
        name: "contract", usage: usage, summary: "check a plugin against the runtime invariants",
        help: """
            Runs the contract checks on fresh instances of PLUGIN (loaded again, alone with what it depends on); each
            maps to an invariant of ADR-0003 (#N):
              manifest           ManifestInvalid: every manifest rule; business plugins keep priority < 1000 (ADR-0005)
              lifecycle          LeakDetected (#3): after set-up and teardown nothing the plugin acquired is still held —
                                 files, sockets, pipes, threads, child processes, asyncio tasks, the instance
              serialization      SerializationError (#2): sample inputs and outputs survive a JSON round trip
              determinism        DeterminismError (#8): equal results on two fresh instances, frozen clock, seeded rng
              ambient_state      AmbientStateViolation (#1): module-level mutable values (source scan), module globals and
                                 class attributes the hooks change, environment variables read inside hooks
              chain_schema       DispatchMismatch (#2): a chain hook's output fits its input schema
              execution_model    ExecutionModelViolation (#4): an async plugin's hooks make no blocking sleep, file or
                                 socket call; a sync plugin's hooks return no coroutine
              unit_of_work       UnitOfWorkViolation (#5): a declared unit of work names partition_key and duration
              checkpoint_resume  ResumeMismatch (#6): a checkpointable plugin crashed after a checkpoint and resumed gives
                                 the single-pass result; progress and checkpoints are JSON
              idempotency        IdempotencyViolation (#7): input_hash — the same input twice, same output, no second write
            Samples come from the hookspec's `examples:`, from [plugin.metadata.samples] (hook → list of inputs), or
            from --sample HOOK=JSON (quote it: --sample 'work={"text": "two words"}'). A check passes only on evidence:
            a sample that raised or timed out fails it (HookFailed), one for an unknown hook or Ctrl-C leaves it NOT RUN,
            and a check that cannot apply to the plugin says N/A and why. Anything but PASS and N/A is a failed suite.
            --check NAME (repeatable) runs only those checks.
            """,
        arguments: [.plugin, .words(["--check", "--sample"] + ContractCheck.allCases.map(\.rawValue))],
        run: { args, console throws(ConsoleError) in
            let registry = try await console.requireRegistry()
            let words = try args.words()
            guard let name = words.first, !name.hasPrefix("--") else { throw args.usageError(usage, "missing PLUGIN") }
            _ = try args.plugin(name, registry: registry, usage: usage)
            let (checks, samples) = try parseOptions(Array(words.dropFirst()), usage: usage)
            guard let directory = await console.path else { throw ConsoleError("no plugin directory is loaded") }
            let report = try await run(plugin: name, directory: directory, options: await console.loadOptions, checks: checks, samples: samples)
            return Output(reports: [report])
        })

    static func parseOptions(_ words: [String], usage: String) throws(ConsoleError) -> ([ContractCheck], [ContractSample]) {
        var checks: [ContractCheck] = []
        var samples: [ContractSample] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            guard index + 1 < words.count else { throw ConsoleError("\(word) needs a value\nusage: \(usage)") }
            let value = words[index + 1]
            switch word {
            case "--check":
                guard let check = ContractCheck(rawValue: value) else {
                    throw ConsoleError("unknown check '\(value)'; checks: \(ContractCheck.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                checks.append(check)
            case "--sample":
                guard let equals = value.firstIndex(of: "=") else { throw ConsoleError("--sample expects HOOK=JSON, got '\(value)'") }
                let hook = String(value[..<equals])
                do {
                    samples.append(ContractSample(hook: hook, input: try JSONValue.parse(String(value[value.index(after: equals)...]), maxDepth: JSONLimits.maxDepth), source: "--sample"))
                } catch {
                    throw ConsoleError("--sample \(hook): bad JSON at column \(error.column): \(error.message)"
                                       + "\nquote the whole sample as one word, as in a shell: --sample '\(hook)={\"text\": \"two words\"}'")
                }
            default:
                throw ConsoleError("unknown option '\(word)'\nusage: \(usage)")
            }
            index += 2
        }
        return (checks.isEmpty ? ContractCheck.allCases : checks, samples)
    }

    static func run(
        plugin: String, directory: String, options: PluginDirectory.Options, checks: [ContractCheck], samples: [ContractSample]
    ) async throws(ConsoleError) -> ContractReport {
        let environment: DirectoryContractEnvironment
        do { environment = try DirectoryContractEnvironment(directory: directory, options: options) } catch { throw ConsoleError(error) }
        guard let entry = environment.manifest(of: plugin) else { throw ConsoleError("'\(plugin)' is not in \(directory)") }
        let kinds = KindRegistry()
        for spec in HookspecLoader.loadDirectory(directory + "/kinds").specs { kinds.register(spec) }
        let suite = ContractSuite(environment: environment, manifest: entry.manifest, kinds: kinds, extraSamples: samples)
        return await suite.run(checks)
    }

    /// Every plugin of a directory (`--contract DIR`).
    static func runAll(directory: String, options: PluginDirectory.Options) async throws(ConsoleError) -> Output {
        let environment: DirectoryContractEnvironment
        do { environment = try DirectoryContractEnvironment(directory: directory, options: options) } catch { throw ConsoleError(error) }
        // A folder whose manifest cannot be read is a failed contract, not a plugin to leave out.
        var reports = environment.skipped.map { folder in
            ContractReport(plugin: folder.folder, findings: [ContractFinding(
                check: .manifest, status: .fail, message: folder.error.message, fix: "correct the manifest in \(folder.folder)")])
        }
        for plugin in environment.discovered.keys.sorted() {
            reports.append(try await run(plugin: plugin, directory: directory, options: options, checks: ContractCheck.allCases, samples: []))
        }
        return Output(reports: reports)
    }

    struct Output: CommandOutput {
        var reports: [ContractReport]
        var succeeded: Bool { reports.allSatisfy(\.passed) }

        var json: JSONObject {
            ["passed": .bool(succeeded), "reports": .array(reports.map(\.json))]
        }

        func text(_ style: TextStyle) -> String {
            reports.map { report in
                report.summary.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
                    let text = String(line)
                    if text.contains("[PASS]") { return text.replacingOccurrences(of: "[PASS]", with: style.green("[PASS]")) }
                    if text.contains("[FAIL]") { return text.replacingOccurrences(of: "[FAIL]", with: style.red("[FAIL]")) }
                    if text.contains("[NOT RUN]") { return text.replacingOccurrences(of: "[NOT RUN]", with: style.yellow("[NOT RUN]")) }
                    if text.hasSuffix(": FAIL") || text.contains(": FAIL (") { return text.replacingOccurrences(of: ": FAIL", with: ": " + style.red("FAIL")) }
                    return text
                }.joined(separator: "\n")
            }.joined(separator: "\n")
        }
    }
}

extension ConsoleState {
    /// `--contract DIR`: the report for every plugin of DIR, and whether all passed (every check
    /// passed or cannot apply).
    public static func contract(directory: String, options: Options) async -> (passed: Bool, output: any CommandOutput) {
        var loadOptions = PluginDirectory.Options()
        loadOptions.callTimeout = options.callTimeout
        loadOptions.python = options.python
        loadOptions.resources = options.resources
        do {
            let output = try await ContractCommand.runAll(directory: directory, options: loadOptions)
            return (output.succeeded, output)
        } catch {
            return (false, MessageOutput(message: "error: \(error.message)", fields: ["error": ["message": .string(error.message)]]))
        }
    }
}
