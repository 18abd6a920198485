import Foundation
import PluginHosts
import PluginSystem
import Testing
import TestSupport

/// A TypeScript plugin's config checked against its schema, with the Python host's error: the
/// plugin fails set-up with ManifestInvalid naming it, every field at fault by its path in the
/// application config, and where the schema was applied — never the values.
@Suite struct NodeConfigSchemaTests {
    static func settings(_ loaded: PluginDirectory, _ plugin: String) async throws -> JSONValue? {
        try await loaded.registry.call(plugin, hook: "settings", arguments: HookArguments([]), metadata: [:]).output.value
    }

    @Test func aConfigThatDoesNotFitTheSchemaFailsSetUpNamingPluginFieldsAndWhereAndTheTwinsGetTheirConfig() async throws {
        let loaded = await PluginDirectory.load(packageRoot + "/Tests/Fixtures/node-config")
        // guides/configuration's plugin: ConfigSchema.parse(ctx.config) in setup() throws zod's error.
        #expect(loaded.registry.record(named: "fetcher")?.state == .failed(DagstackError(
            .manifestInvalid,
            "Invalid config for plugin 'fetcher': tool.fetcher.api_url: Invalid url; tool.fetcher.timeout_ms: Number must be greater than 0 (ZodError thrown by setup() at plugin.ts:16)",
            plugin: "fetcher")), "\(loaded.registry.record(named: "fetcher")?.state ?? .registered)")
        // A schema on the class, checked before set-up.
        #expect(loaded.registry.record(named: "typed")?.state == .failed(DagstackError(
            .manifestInvalid, "Invalid config for plugin 'typed': tool.typed.retries: Expected number, received string (checked by Typed.configSchema)",
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
