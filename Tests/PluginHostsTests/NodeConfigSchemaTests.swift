import Foundation
import PluginHosts
import PluginSystem
import Testing
import TestSupport

/// A TypeScript plugin's config checked against its schema, with the Python host's error: the
/// plugin fails set-up with ManifestInvalid naming it, every field at fault by its path in the
/// application config, and where the schema was applied — never the values.
@Suite struct NodeConfigSchemaTests {
    static let appConfig = packageRoot + "/Tests/Fixtures/node-config/app-config.yaml"

    static func settings(_ loaded: PluginDirectory, _ plugin: String) async throws -> JSONValue? {
        try await loaded.registry.call(plugin, hook: "settings", arguments: HookArguments([]), metadata: [:]).output.value
    }

    @Test func aConfigThatDoesNotFitTheSchemaFailsSetUpNamingPluginFieldsAndWhereAndTheTwinsGetTheirConfig() async throws {
        let loaded = await PluginDirectory.load(packageRoot + "/Tests/Fixtures/node-config")
        // guides/configuration's plugin: ConfigSchema.parse(ctx.config) in setup() throws zod's error.
        #expect(loaded.registry.record(named: "fetcher")?.state == .failed(DagstackError(
            .manifestInvalid,
            "Invalid config for plugin 'fetcher': tool.fetcher.api_url: Invalid url; tool.fetcher.timeout_ms: Number must be greater than 0 (ZodError thrown by setup() at plugin.ts:16)"
                + " — tool.fetcher.api_url set at \(Self.appConfig):4; tool.fetcher.timeout_ms set at \(Self.appConfig):5",
            plugin: "fetcher")), "\(loaded.registry.record(named: "fetcher")?.state ?? .registered)")
        // A schema on the class, checked before set-up.
        #expect(loaded.registry.record(named: "typed")?.state == .failed(DagstackError(
            .manifestInvalid,
            "Invalid config for plugin 'typed': tool.typed.retries: Expected number, received string (checked by Typed.configSchema) — tool.typed.retries set at \(Self.appConfig):9",
            plugin: "typed")), "\(loaded.registry.record(named: "typed")?.state ?? .registered)")
        for plugin in ["fetcher", "typed"] {
            let reason = loaded.registry.record(named: plugin)?.state.reason ?? ""
            #expect(!reason.contains("not a url") && !reason.contains("three"), "a value never shows: \(reason)")
        }
        // The twins: set up, with the config their schema built (defaults filled in) or as written.
        #expect(try await Self.settings(loaded, "fetcher-fixed") == ["api_url": "https://api.example.com", "timeout_ms": 30000, "retries": 3])
        #expect(try await Self.settings(loaded, "typed-fixed") == ["retries": 2])
        await loaded.close()
    }

    /// A schema error in set-up is the config's only when it came from parsing the config: `loader`
    /// parses a data file that does not fit (its config does), and fails as itself, with zod's
    /// issues listed by their path in what it parsed; its twin's file fits.
    @Test func aSchemaErrorOverAFileIsThePluginsOwnFailureNotItsConfigs() async throws {
        let loaded = await PluginDirectory.load(packageRoot + "/Tests/Fixtures/node-config")
        let state = loaded.registry.record(named: "loader")?.state
        guard case .failed(let error)? = state else { Issue.record("\(state ?? .registered)"); return }
        #expect(error.code == .pluginLoadError, "\(error)")
        #expect(!error.message.contains("Invalid config"), "\(error.message)")
        #expect(error.message.contains(
            "ZodError: a schema in setup() at plugin.ts:14 rejected a value that is not the plugin's config: max_items: Expected number, received string; window_s: Required"),
            "\(error.message)")
        #expect(try await Self.settings(loaded, "loader-fixed") == ["max_items": 10, "window_s": 60])
        await loaded.close()
    }

    /// When every issue is a field the config lacks (a file's missing field would say the same), the
    /// parse call decides: one over `ctx.config` is the config's, one over anything else is not.
    @Test func missingFieldsAreTheConfigsOnlyWhenTheParseWasOfTheConfig() async throws {
        let dir = TempDir()
        try FileManager.default.createSymbolicLink(
            atPath: dir.path + "/node_modules", withDestinationPath: packageRoot + "/Tests/Fixtures/node-config/node_modules")
        dir.plugin("of-config", name: "of-config", kind: "tool")
        dir.write("of-config/plugin.ts", """
            import { z } from "zod";
            const Schema = z.object({ api_url: z.string() });
            export class OfConfig {
              setup(ctx: any) {
                this.config = Schema.parse(ctx.config);
              }
              settings() { return {}; }
            }
            """)
        dir.plugin("of-resource", name: "of-resource", kind: "tool")
        dir.write("of-resource/plugin.ts", """
            import { z } from "zod";
            const Schema = z.object({ api_url: z.string() });
            export class OfResource {
              setup(ctx: any) {
                const raw = { region: "eu" };
                this.endpoint = Schema.parse(raw);
              }
              settings() { return {}; }
            }
            """)
        let loaded = await PluginDirectory.load(dir.path)
        #expect(loaded.registry.record(named: "of-config")?.state == .failed(DagstackError(
            .manifestInvalid,
            "Invalid config for plugin 'of-config': tool.of-config.api_url: Required (ZodError thrown by setup() at plugin.ts:5) — tool.of-config.api_url not set: no config file was read",
            plugin: "of-config")), "\(loaded.registry.record(named: "of-config")?.state ?? .registered)")
        let other = loaded.registry.record(named: "of-resource")?.state
        guard case .failed(let error)? = other else { Issue.record("\(other ?? .registered)"); return }
        #expect(error.code == .pluginLoadError, "\(error)")
        #expect(error.message.contains("a schema in setup() at plugin.ts:6 rejected a value that is not the plugin's config: api_url: Required"), "\(error.message)")
        await loaded.close()
    }

    @Test func aSchemaThatIsNoSchemaIsSaidToBeOne() async throws {
        let dir = TempDir()
        dir.plugin("odd", name: "odd", kind: "tool")
        dir.write("odd/plugin.ts", """
            export class Odd {
              static configSchema = { fields: ["retries"] };
              settings() { return {}; }
            }
            """)
        let loaded = await PluginDirectory.load(dir.path)
        #expect(loaded.registry.record(named: "odd")?.state == .failed(DagstackError(
            .manifestInvalid, "Invalid config for plugin 'odd': Odd.configSchema of plugin 'odd' is not a schema: it has no safeParse or parse (a zod schema has both)",
            plugin: "odd")), "\(loaded.registry.record(named: "odd")?.state ?? .registered)")
        await loaded.close()
    }
}
