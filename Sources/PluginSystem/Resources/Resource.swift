/// A resource the host offers plugins by name: the standard clock and rng, or a custom value
/// (the seed's `tenant_keywords`), which is JSON so it can cross to a plugin in another process.
public enum Resource: Sendable {
    case clock(any PluginClock)
    case rng(any PluginRng)
    case value(JSONValue)

    /// The form a plugin host in another process receives.
    public var descriptor: JSONValue {
        switch self {
        case .clock(let clock): ["resource": "clock", "spec": clock.descriptor]
        case .rng(let rng): ["resource": "rng", "spec": rng.descriptor]
        case .value(let value): ["resource": "value", "value": value]
        }
    }
}
