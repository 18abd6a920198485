import Foundation
import PluginSystem

/// Where and how an `mcp_http` plugin is reached, read from its manifest: the URL (`endpoint`, or
/// `url` at the top level or in `[plugin.mcp_http]`), the headers (`headers`, the bearer token of
/// `auth = {token = "…"}`, or `auth_header` with the secret from `auth_secret_env`), the time
/// limits and TLS settings. The secrets are kept apart so nothing the console shows contains them.
struct HTTPEndpoint: Sendable {
    var url: String
    var headers: [(String, String)]
    /// Every secret value sent (tokens): masked wherever they would appear in what the console shows.
    var secrets: [String]
    var tls: HTTPConnection.TLS
    /// The limit of `initialize` (startup_timeout_sec).
    var startupTimeout: Double
    /// The limit of a hook call: `[plugin.mcp_http] timeout_sec`, else the console's call limit.
    var callTimeout: Double

    /// Reads the endpoint of `manifest` (a plugin in `folder`); `environment` supplies `auth_secret_env`.
    init(manifest m: PluginManifest, folder: String, callTimeout: Double, environment: [String: String]) throws(DagstackError) {
        func invalid(_ message: String) -> DagstackError {
            DagstackError(.manifestInvalid, "Plugin '\(m.name)' (\(m.source)): \(message)", plugin: m.name)
        }
        guard let url = m.endpoint ?? m.url, !url.isEmpty else { throw invalid("runtime 'mcp_http' needs an endpoint (or url)") }
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), ["http", "https"].contains(scheme),
            parts.host?.isEmpty == false
        else { throw invalid("endpoint '\(Self.display(url))' is not an http:// or https:// URL") }
        self.url = url
        headers = [("Content-Type", "application/json")]
        secrets = []
        for (name, value) in (m.httpHeaders ?? [:]).sorted(by: { $0.key < $1.key }) {
            headers.append((name, value))
            if HTTPService.isSecretHeader(name) { secrets.append(value) }
        }
        if let auth = m.auth {
            guard case .string(let token)? = auth["token"], !token.isEmpty else {
                throw invalid("auth must hold a token (a non-empty string): auth = { token = \"…\" }")
            }
            headers.append(("Authorization", "Bearer \(token)"))
            secrets.append(token)
        }
        if let variable = m.mcpHttp.authSecretEnv {
            guard let secret = environment[variable], !secret.isEmpty else {
                throw DagstackError(
                    .pluginLoadError, "Plugin '\(m.name)': auth_secret_env names the environment variable \(variable), which is not set",
                    plugin: m.name)
            }
            let name = m.mcpHttp.authHeader ?? "Authorization"
            headers.append((name, name.lowercased() == "authorization" ? "Bearer \(secret)" : secret))
            secrets.append(secret)
        } else if m.mcpHttp.authHeader != nil {
            throw invalid("mcp_http.auth_header needs mcp_http.auth_secret_env (the environment variable holding the secret)")
        }
        var bundle = m.mcpHttp.tlsCABundle ?? environment["REQUESTS_CA_BUNDLE"] ?? environment["SSL_CERT_FILE"]
        if let path = bundle, !path.hasPrefix("/") { bundle = folder + "/" + path }
        if let path = bundle, !FileManager.default.isReadableFile(atPath: path) {
            throw DagstackError(.pluginLoadError, "Plugin '\(m.name)': tls_ca_bundle '\(path)' cannot be read", plugin: m.name)
        }
        tls = HTTPConnection.TLS(caBundle: bundle, verify: m.mcpHttp.tlsVerify ?? true)
        startupTimeout = Double(m.startupTimeoutSec)
        self.callTimeout = m.mcpHttp.timeoutSec.map(Double.init) ?? callTimeout
    }

    /// The URL as shown: a password in it (`https://user:pw@host`) masked.
    static func display(_ url: String) -> String {
        guard var parts = URLComponents(string: url), parts.password != nil else { return HTTPService.maskedURL(url) }
        parts.password = SecretMask.placeholder
        return HTTPService.maskedURL(parts.string ?? url)
    }

    var displayURL: String { Self.display(url) }

    /// `text` with every secret value replaced by the mask: for whatever a server sends back (an
    /// error message that echoes the Authorization header) before the console shows or records it.
    func redact(_ text: String) -> String {
        secrets.reduce(text) { text, secret in text.replacingOccurrences(of: secret, with: SecretMask.placeholder) }
    }
}
