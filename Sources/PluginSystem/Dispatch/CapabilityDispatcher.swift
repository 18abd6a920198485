import OrderedCollections
/// How a capability dispatch chose its plugin.
public enum CapabilityMatch: Sendable, Equatable {
    /// The plugin's `matches(ctx, ...)` returned a truthy value.
    case matches
    /// A `supports_*` tag of the manifest matched the input (`extension:.py`, `language:python`…).
    case supports(String)
    /// No plugin matched; the kind's single `fallback = true` plugin took it.
    case fallback
}

public struct CapabilityOutcome: Sendable {
    public let plugin: String
    public let reply: HookReply
    public let matchedBy: CapabilityMatch
}

/// What a capability input offers to `supports_*` routing, read from the call's arguments:
/// `language`, `extension` (or the extension of `path`/`filename`), `mime_type` (or `content_type`),
/// looked up in the named arguments, then in the first positional argument when it is an object.
public struct CapabilityQuery: Sendable, Equatable {
    public var language: String?
    public var fileExtension: String?
    public var mimeType: String?

    public init(_ arguments: HookArguments) {
        var sources = [arguments.named]
        if let first = arguments.positional.first?.objectValue { sources.append(first) }
        func find(_ keys: [String]) -> String? {
            for source in sources { for key in keys { if let s = source[key]?.stringValue { return s } } }
            return nil
        }
        language = find(["language", "lang"])?.lowercased()
        if let ext = find(["extension", "ext"]) {
            fileExtension = Self.normalise(ext)
        } else if let path = find(["path", "filename", "file_name", "file"]), let dot = path.lastIndex(of: "."),
            !path[dot...].contains("/")
        {
            fileExtension = Self.normalise(String(path[dot...]))
        }
        mimeType = find(["mime_type", "mimetype", "content_type"])?.lowercased()
    }

    static func normalise(_ ext: String) -> String { (ext.hasPrefix(".") ? ext : "." + ext).lowercased() }

    /// The first `supports_*` tag of `manifest` this query satisfies, as `field:value`.
    public func match(_ manifest: PluginManifest) -> String? {
        if let language, manifest.supportsLanguages.contains(where: { $0.lowercased() == language }) {
            return "supports_languages:\(language)"
        }
        if let fileExtension, manifest.supportsExtensions.contains(where: { Self.normalise($0) == fileExtension }) {
            return "supports_extensions:\(fileExtension)"
        }
        if let mimeType {
            for declared in manifest.supportsMimeTypes {
                let d = declared.lowercased()
                if d == mimeType || (d.hasSuffix("/*") && mimeType.hasPrefix(d.dropLast())) {
                    return "supports_mime_types:\(declared)"
                }
            }
        }
        return nil
    }
}

/// `capability`: the plugin that can handle this input answers. In order: the first plugin (priority
/// desc, name) whose `matches(ctx, ...)` is truthy — an error in `matches` counts as no match; then
/// the first whose `supports_*` tags fit the input; then the kind's single `fallback = true` plugin.
/// Nothing → `NoCapabilityMatch`; two fallbacks → `AmbiguousPlugin`.
public struct CapabilityDispatcher: Sendable {
    public let registry: PluginRegistry
    /// A governance filter over the candidates (ADR-0005 §4), applied before matching.
    public let filter: (@Sendable ([PluginRecord]) -> [PluginRecord])?

    public init(_ registry: PluginRegistry, filter: (@Sendable ([PluginRecord]) -> [PluginRecord])? = nil) {
        self.registry = registry
        self.filter = filter
    }

    public func dispatch(
        _ kind: String, _ hook: String, _ arguments: HookArguments = HookArguments(), metadata: JSONObject = [:]
    ) async throws(DagstackError) -> CapabilityOutcome {
        let plan = try registry.plan(kind: kind, hook: hook, as: .capability)
        let (chosen, how) = try await choose(plan, arguments, metadata: metadata)
        let reply = try await HookInvoker(registry: registry).call(chosen, kind: kind, hook: hook, arguments: arguments, metadata: metadata)
        return CapabilityOutcome(plugin: chosen.name, reply: reply, matchedBy: how)
    }

    func choose(
        _ plan: DispatchPlan, _ arguments: HookArguments, metadata: JSONObject
    ) async throws(DagstackError) -> (PluginRecord, CapabilityMatch) {
        // Candidates include plugins that lack the hook, so a `matches` winner without it is reported.
        var candidates = registry.candidates(kind: plan.kind)
        if let filter { candidates = filter(candidates) }
        let invoker = HookInvoker(registry: registry)
        let observers = registry.observers
        for candidate in candidates where candidate.implements("matches") {
            let verdict = try? await invoker.raw(
                candidate, kind: plan.kind, hook: "matches", role: .matches, arguments: arguments, metadata: metadata,
                observers: observers)
            guard let verdict, verdict.output.value?.isTruthy == true else { continue }
            guard candidate.implements(plan.hook) else {
                throw DagstackError(.noCapabilityMatch, "Plugin '\(candidate.name)' matched but has no hook method '\(plan.hook)'.", plugin: candidate.name)
            }
            return (candidate, .matches)
        }
        let query = CapabilityQuery(arguments)
        let withHook = candidates.filter { $0.implements(plan.hook) }
        for candidate in withHook {
            if let tag = query.match(candidate.manifest) { return (candidate, .supports(tag)) }
        }
        let fallbacks = withHook.filter(\.manifest.fallback)
        if fallbacks.count > 1 {
            throw DagstackError(
                .ambiguousPlugin,
                "Kind '\(plan.kind)' has \(fallbacks.count) fallback plugins (\(fallbacks.map(\.name).joined(separator: ", "))); at most one may set fallback = true")
        }
        if let fallback = fallbacks.first { return (fallback, .fallback) }
        throw DagstackError(
            .noCapabilityMatch,
            "No plugin matched for capability dispatch '\(plan.kind)'.'\(plan.hook)'. Candidates checked: \(candidates.count).")
    }
}
