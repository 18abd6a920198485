/// Where a plugin stands. Only `active` plugins are ever dispatched to.
public enum PluginState: Sendable, Equatable {
    /// Registered, not set up yet.
    case registered
    case active
    /// Set up, but switched off by the user; dispatch skips it until it is enabled again.
    case disabled
    /// Its set-up raised, timed out or lacked a required resource, or it crashed or hung later.
    case failed(DagstackError)
    /// A dependency is missing or not active, or the host could not bind it to code.
    case unavailable(String)
    case tornDown

    public var name: String {
        switch self {
        case .registered: "registered"
        case .active: "active"
        case .disabled: "disabled"
        case .failed: "failed"
        case .unavailable: "unavailable"
        case .tornDown: "torn_down"
        }
    }

    /// Why the plugin is not active, when there is a reason to give.
    public var reason: String? {
        switch self {
        case .failed(let error): error.message
        case .unavailable(let why): why
        default: nil
        }
    }
}

/// One registered plugin: its manifest, its instance and its current state, as a snapshot.
public struct PluginRecord: Sendable {
    public let manifest: PluginManifest
    public let folder: String?
    /// The bound instance; nil when the host could not bind the manifest to code.
    public let instance: (any Plugin)?
    /// Set-up state, independent of the user's switch.
    public internal(set) var lifecycle: PluginState
    public internal(set) var disabled = false
    public internal(set) var priorityOverride: Int?
    /// What set-up granted; empty until set-up.
    public internal(set) var resources = ResourceContainer()

    public var name: String { manifest.name }
    public var kind: String { manifest.kind }
    public var priority: Int { priorityOverride ?? manifest.priority }

    public var state: PluginState {
        if disabled, case .active = lifecycle { return .disabled }
        return lifecycle
    }

    public var isActive: Bool {
        if case .active = state { return true }
        return false
    }

    public func implements(_ hook: String) -> Bool { instance?.implements(hook) ?? false }

    /// Dispatch order: priority descending, then name ascending (by code point, as Python sorts).
    public static func dispatchOrder(_ a: PluginRecord, _ b: PluginRecord) -> Bool {
        a.priority != b.priority ? a.priority > b.priority : a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
    }
}
