import PluginHosts
import PluginSystem

/// `config` and `config set KIND.NAME.KEY JSON`: the application config plugins get their sections
/// from, secrets masked, and a value changed for this session (plugins are set up again).
enum ConfigCommand {
    static let usage = "config [set KIND.NAME.KEY JSON]"

    static let spec = CommandSpec(
        name: "config", usage: usage, summary: "show the application config (masked) or change a value for this session",
        help: """
            Plugins get their settings from the application config (guides/configuration): the plugin
            directory's app-config.yaml, then app-config.local.yaml, then app-config.$DAGSTACK_ENV.yaml,
            then --config FILE and its layers, with ${VAR} and ${VAR:-default} substituted. Each plugin
            gets its section KIND.NAME as ctx.config, checked by its config_schema before set-up.
            `config` shows the files read and the merged config; `show PLUGIN` shows one plugin's section.
            Secret-looking fields (api_key, *_token, *_secret, password...) are always shown as [MASKED],
            here, in --json output and in recordings.
            `config set KIND.NAME.KEY JSON` sets one value for this session (KEY may be a dotted path) and
            sets every plugin up again with it, as `resource set` does.
            """,
        arguments: [.words(["set"])],
        run: { args, console throws(ConsoleError) in
            let registry = try await console.requireRegistry()
            guard !args.isEmpty else { return Output(config: await console.directory?.config ?? AppConfig(), overrides: await console.sessionConfig) }
            let (verb, rest) = try args.split()
            guard verb == "set" else { throw args.usageError(usage, "unknown subcommand '\(verb)'") }
            let (path, valueText) = try rest.split()
            let steps = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard steps.count >= 3, !steps.contains("") else {
                throw args.usageError(usage, path.isEmpty ? "missing KIND.NAME.KEY" : "'\(path)' is not KIND.NAME.KEY")
            }
            guard registry.records.contains(where: { $0.kind == steps[0] && $0.name == steps[1] }) else {
                let known = registry.records.map { "\($0.kind).\($0.name)" }.sorted().joined(separator: ", ")
                throw ConsoleError("no plugin '\(steps[1])' of kind '\(steps[0])'; plugins: \(known)")
            }
            let value = try valueText.json(usage: usage)!
            await console.setConfig(steps, value)
            var output = try await console.reloadDirectory()
            let shown = SecretMask.isSecret(steps.last!) ? SecretMask.placeholder : value.encoded()
            output.headline = "config \(path) = \(shown) for this session; plugins set up again"
            return output
        })

    /// The line as a recording keeps it: a secret's value masked (`config set k.n.api_key [MASKED]`).
    static func recordedLine(_ line: String) -> String {
        let words = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true)
        guard words.count == 4, words[0] == "config", words[1] == "set",
            let key = words[2].split(separator: ".").last, SecretMask.isSecret(String(key))
        else { return line }
        return "config set \(words[2]) \(SecretMask.placeholder)"
    }

    struct Output: CommandOutput {
        var config: AppConfig
        var overrides: JSONObject

        var json: JSONObject {
            ["files": .array(config.files.map(JSONValue.string)), "config": .object(SecretMask.masked(config.tree)),
             "session": .object(SecretMask.masked(overrides))]
        }

        func text(_ style: TextStyle) -> String {
            var lines = [style.bold("config") + "  " + (config.files.isEmpty ? style.dim("no app-config.yaml in the plugin directory") : config.files.joined(separator: " → "))]
            if !overrides.isEmpty { lines.append("  " + style.dim("session: ") + JSONValue.object(SecretMask.masked(overrides)).encoded()) }
            for (kind, plugins) in config.tree {
                guard case .object(let sections) = plugins else {
                    lines.append("  \(kind): \(SecretMask.masked(plugins).encoded())")
                    continue
                }
                for (name, section) in sections { lines.append("  \(pad("\(kind).\(name)", 28)) \(SecretMask.masked(section).encoded())") }
            }
            return lines.joined(separator: "\n")
        }
    }
}
