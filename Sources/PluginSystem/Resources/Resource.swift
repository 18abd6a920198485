import Foundation
/// A resource the host offers plugins by name: the standard clock and rng, or a custom value
/// (the seed's `tenant_keywords`), which is JSON so it can cross to a plugin in another process.
public enum Resource: Sendable {
    case clock(any PluginClock)
    case rng(any PluginRng)
    case httpClient(any PluginHTTPClient)
    case blobStore(any PluginBlobStore)
    case value(JSONValue)

    /// The form a plugin host in another process receives.
    public var descriptor: JSONValue {
        switch self {
        case .clock(let clock): ["resource": "clock", "spec": clock.descriptor]
        case .rng(let rng): ["resource": "rng", "spec": rng.descriptor]
        case .httpClient(let client): ["resource": "http_client", "spec": client.descriptor]
        case .blobStore(let store): ["resource": "blob_store", "spec": store.descriptor]
        case .value(let value): ["resource": "value", "value": value]
        }
    }

    /// A standard resource from its descriptor — `{"resource": "clock", "spec": {"type": "frozen",
    /// "at": "2026-01-01T12:00:00Z"}}`, `{"resource": "rng", "spec": {"type": "seeded", "seed": 42}}`,
    /// `{"resource": "http_client", "spec": {"type": "stub", "routes": {...}}}`, `{"resource":
    /// "blob_store", "spec": {"type": "folder", "path": "..."}}` — as a value given for the standard
    /// name `name` (in resources.json or with --resource). Nil when `value` is not such a descriptor
    /// (it is then a custom value); an error when it is one but wrong.
    public static func standard(_ name: String, descriptor value: JSONValue) throws(DagstackError) -> Resource? {
        guard let kind = value["resource"]?.stringValue, kind == name, let spec = value["spec"] else { return nil }
        let type = spec["type"]?.stringValue
        func wrong(_ why: String) -> DagstackError {
            DagstackError(.manifestInvalid, "Resource '\(name)': \(why) in \(value.encoded())")
        }
        switch (name, type) {
        case ("clock", "system"): return .clock(SystemClock())
        case ("clock", "frozen"):
            guard let at = spec["at"]?.stringValue, let date = ISO8601DateFormatter().date(from: at) else {
                throw wrong("a frozen clock needs \"at\": an ISO 8601 time with its zone")
            }
            return .clock(FrozenClock(at: date))
        case ("rng", "system"): return .rng(SystemRng())
        case ("rng", "seeded"):
            guard let seed = spec["seed"]?.intValue else { throw wrong("a seeded rng needs an integer \"seed\"") }
            return .rng(SeededRng(seed: UInt64(bitPattern: Int64(seed))))
        case ("http_client", "stub"):
            guard let routes = spec["routes"]?.objectValue else { throw wrong("a stub http_client needs \"routes\"") }
            return .httpClient(StubHTTPClient(routes: routes))
        case ("blob_store", "folder"):
            guard let path = spec["path"]?.stringValue else { throw wrong("a folder blob_store needs \"path\"") }
            return .blobStore(try FolderBlobStore(path: path))
        default:
            throw wrong("unknown type \(type.map { "'\($0)'" } ?? "(none)")")
        }
    }
}
