import Foundation
import Testing
@testable import PluginSystem

/// The application config of guides/configuration, with DagStack/config-python's rules.
@Suite struct AppConfigTests {
    @Test func substitutionFollowsConfigPython() throws {
        let env = ["SET": "value", "EMPTY": "", "PORT": "9090"]
        #expect(try ConfigInterpolation.substitute("a: ${SET}", environment: env) == "a: value")
        #expect(try ConfigInterpolation.substitute("a: ${EMPTY}", environment: env) == "a: ")
        #expect(try ConfigInterpolation.substitute("a: ${EMPTY:-fallback}", environment: env) == "a: fallback")
        #expect(try ConfigInterpolation.substitute("a: ${UNSET:-https://x/v1}", environment: env) == "a: https://x/v1")
        #expect(try ConfigInterpolation.substitute("a: $${SET} $x ${unclosed", environment: env) == "a: ${SET} $x ${unclosed")
        #expect(try ConfigInterpolation.substitute("a: ${ SET }", environment: env) == "a: value")
        #expect(try ConfigInterpolation.substitute("a: ${FOO:-${BAR}}", environment: env) == "a: ${BAR}")
        #expect(try ConfigInterpolation.substitute("a: ${secret:env:SET}", environment: env) == "a: ${secret:env:SET}")
        #expect(throws: ConfigInterpolation.Unresolved(variable: "STRIPE_API_KEY", line: 2, column: 12)) {
            try ConfigInterpolation.substitute("x: 1\n  api_key: ${STRIPE_API_KEY}\n", environment: env)
        }
    }

    @Test func layersMergeDeeplyListsAreReplacedAndYAMLIsStrict() throws {
        let dir = TempDir()
        let base = dir.write("app-config.yaml", """
            payment_provider:
              stripe:
                base_url: "${STRIPE_BASE_URL:-https://api.stripe.com/v1}"
                timeout_s: ${TIMEOUT:-30}
                tags: [a, b]
                endpoint: {host: h, port: 1}
                enabled: yes
                mode: 0755
                ratio: 2.0
            """)
        dir.write("app-config.local.yaml", "payment_provider:\n  stripe:\n    tags: [local]\n    endpoint: {host: localhost}\n")
        dir.write("app-config.staging.yaml", "payment_provider:\n  stripe:\n    api_key: ${KEY}\n")
        dir.write("app-config.production.yaml", "payment_provider:\n  stripe:\n    api_key: wrong\n")
        let env = ["DAGSTACK_ENV": "staging", "KEY": "sk_test_1"]
        let files = AppConfig.layers(of: base, environment: env)
        #expect(files == [base, dir.path + "/app-config.local.yaml", dir.path + "/app-config.staging.yaml"])
        let config = try AppConfig.load(files, environment: env)
        #expect(try config.section(kind: "payment_provider", name: "stripe") == [
            "base_url": "https://api.stripe.com/v1", "timeout_s": 30, "tags": ["local"], "endpoint": ["host": "localhost", "port": 1],
            "enabled": "yes", "mode": 755, "ratio": 2, "api_key": "sk_test_1",
        ])
        #expect(try config.section(kind: "payment_provider", name: "other") == [:])
        #expect(throws: DagstackError(.configError, "Config file \(dir.path)/app-config.staging.yaml:3:14 (payment_provider.stripe.api_key): env variable 'KEY' is not set and no default provided (env_unresolved); set it, or write ${KEY:-default}")) {
            try AppConfig.load(files, environment: ["DAGSTACK_ENV": "staging"])
        }
    }

    /// Where each value came from, for an error about it: the layer that set it last (its file and
    /// line, the variable its line substituted, or the session), the layers of the section a field
    /// is missing from, nothing for a section no file has.
    @Test func eachValueKeepsWhereItWasSet() throws {
        let dir = TempDir()
        let base = dir.write("app-config.yaml", """
            tool:
              x:
                timeout_s: ${TIMEOUT:-30}
                tags: [a, b]
                endpoint: {host: h, port: 1}
                url: ${URL:-http://h}
            """)
        let local = dir.write("app-config.local.yaml", "tool:\n  x:\n    tags: [local]\n    endpoint: {host: localhost}\n")
        var config = try AppConfig.load([base, local], environment: ["TIMEOUT": "5"])
        config.add(["tool": ["x": ["retries": "three"]]], from: .session)
        let section = ["tool", "x"]
        #expect(config.whereSet([["timeout_s"]], section: section) == "tool.x.timeout_s set at \(base):3 (from $TIMEOUT)")
        #expect(config.whereSet([["url"]], section: section) == "tool.x.url set at \(base):6", "a default is the file's")
        #expect(config.whereSet([["endpoint", "host"]], section: section) == "tool.x.endpoint.host set at \(local):4")
        #expect(config.whereSet([["endpoint", "port"]], section: section) == "tool.x.endpoint.port set at \(base):5")
        #expect(config.whereSet([["tags", "0"]], section: section) == "tool.x.tags.0 set at \(local):3")
        #expect(config.whereSet([["retries"]], section: section) == "tool.x.retries set by `config set` in this session")
        #expect(config.whereSet([["api_key"], ["region"]], section: section)
            == "tool.x.api_key, tool.x.region missing from \(base):2, \(local):2, `config set` in this session")
        #expect(config.whereSet([["api_key"]], section: ["tool", "y"]) == "tool.y.api_key not set in \(base), \(local)")
        #expect(AppConfig().whereSet([["a"]], section: ["k", "n"]) == "k.n.a not set: no config file was read")
    }

    @Test func secretFieldsAreMaskedAtAnyDepthButNotWhenEmpty() {
        let section: JSONObject = [
            "api_key": "sk", "webhook_secret": "wh", "timeout_s": 30, "nested": ["client_secret": "x", "tokens": 3, "password": ""],
            "Api_Token_ttl": 5, "keyboard": "k",
        ]
        #expect(SecretMask.masked(section) == [
            "api_key": "[MASKED]", "webhook_secret": "[MASKED]", "timeout_s": 30,
            "nested": ["client_secret": "[MASKED]", "tokens": 3, "password": ""], "Api_Token_ttl": "[MASKED]", "keyboard": "k",
        ])
    }
}

@Suite struct StandardResourceTests {
    @Test func theBlobStoreKeepsEveryKeyInsideItsFolder() throws {
        let dir = TempDir()
        let store = try FolderBlobStore(path: dir.path + "/blobs")
        for key in ["../escape", "/etc/passwd", "a/b", "", "ключ"] { try store.put(key, Array(key.utf8), contentType: nil) }
        #expect(try store.list(prefix: "") == ["", "../escape", "/etc/passwd", "a/b", "ключ"])
        #expect(try store.get("a/b") == Array("a/b".utf8))
        #expect(try store.get("missing") == nil)
        #expect(try store.exists("../escape"))
        try store.delete("../escape")
        try store.delete("../escape")
        #expect(try store.list(prefix: "a") == ["a/b"])
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/escape"))
    }

    @Test func aStubHTTPClientAnswersFromItsRoutesAndNeverTheNetwork() async throws {
        let stub = try #require(try Resource.standard("http_client", descriptor: [
            "resource": "http_client",
            "spec": ["type": "stub", "routes": ["GET https://example.org/data.json": ["status_code": 200, "json": ["ok": true]]]],
        ]))
        guard case .httpClient(let client) = stub else { Issue.record("not an http client"); return }
        let hit = try await client.send(HTTPRequest(method: "GET", url: "https://example.org/data.json?x=1"))
        #expect(hit.status == 200 && hit.body == Array(#"{"ok":true}"#.utf8) && hit.headers["content-type"] == "application/json")
        let miss = try await client.send(HTTPRequest(method: "POST", url: "https://example.org/data.json"))
        #expect(miss.status == 404)
        #expect(try Resource.standard("tenant_keywords", descriptor: ["acme": ["x"]]) == nil)
    }
}
