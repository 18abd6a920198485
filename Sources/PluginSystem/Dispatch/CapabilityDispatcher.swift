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
    /// What `matches()` raised in the plugins asked before the one chosen: each counted as no match,
    /// and reported, not swallowed.
    public var matchErrors: [DagstackError] = []
}

/// What a capability input offers to `supports_*` routing, read from the call's arguments:
/// `language`, `extension` (or the extension of `path`/`filename`), `mime_type` (or `content_type`),
/// looked up in the named arguments themselves, then in every named argument that is an object (the
/// guide's `payload=`, ADR-0002's `input=`), then in every positional argument that is an object —
/// so the payload is found however the caller passes it.
public struct CapabilityQuery: Sendable, Equatable {
    public var language: String?
    public var fileExtension: String?
    public var mimeType: String?

    public init(_ arguments: HookArguments) {
        var sources = [arguments.named]
        sources += arguments.named.values.compactMap(\.objectValue)
        sources += arguments.positional.compactMap(\.objectValue)
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

/// `capability`: the plugin that can handle this input answers (ADR-0002 §5, guides/capability).
/// The candidates are the kind's plugins that are not the fallback, by priority desc then name; the
/// first one whose `supports_*` tags fit the input, or whose `matches(...)` is truthy (an error in
/// `matches` counts as no match), takes the call. Only when none does, the kind's single
/// `fallback = true` plugin takes it — whatever its own `matches()` says. Nothing →
/// `NoCapabilityMatch`; two fallbacks → `AmbiguousPlugin` for a call that falls through to them (and
/// reported at load: `dispatchProblems`).
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
        var matchErrors: [DagstackError] = []
        let (chosen, how) = try await choose(plan, arguments, metadata: metadata, matchErrors: &matchErrors)
        let reply = try await HookInvoker(registry: registry).call(chosen, kind: kind, hook: hook, arguments: arguments, metadata: metadata)
        return CapabilityOutcome(plugin: chosen.name, reply: reply, matchedBy: how, matchErrors: matchErrors)
    }

    func choose(
        _ plan: DispatchPlan, _ arguments: HookArguments, metadata: JSONObject, matchErrors: inout [DagstackError]
    ) async throws(DagstackError) -> (PluginRecord, CapabilityMatch) {
        // Candidates include plugins that lack the hook, so a `matches` winner without it is reported.
        var candidates = registry.candidates(kind: plan.kind)
        if let filter { candidates = filter(candidates) }
        let query = CapabilityQuery(arguments)
        let invoker = HookInvoker(registry: registry)
        let observers = registry.observers
        for candidate in candidates where !candidate.manifest.fallback {
            if candidate.implements(plan.hook), let tag = query.match(candidate.manifest) { return (candidate, .supports(tag)) }
            guard candidate.implements("matches") else { continue }
            let verdict: HookReply
            do {
                verdict = try await invoker.raw(
                    candidate, kind: plan.kind, hook: "matches", role: .matches, arguments: arguments, metadata: metadata,
                    observers: observers)
            } catch {
                matchErrors.append(error)
                continue
            }
            guard verdict.output.value?.isTruthy == true else { continue }
            guard candidate.implements(plan.hook) else {
                throw DagstackError(.noCapabilityMatch, "Plugin '\(candidate.name)' matched but has no hook method '\(plan.hook)'.", plugin: candidate.name)
            }
            return (candidate, .matches)
        }
        if let fallback = try Self.fallback(of: plan.kind, among: candidates.filter { $0.implements(plan.hook) }) {
            return (fallback, .fallback)
        }
        throw DagstackError(
            .noCapabilityMatch,
            "No plugin matched for capability dispatch '\(plan.kind)'.'\(plan.hook)'. Candidates checked: \(candidates.count)."
                + (matchErrors.isEmpty ? "" : " matches() raised in \(matchErrors.compactMap(\.plugin).joined(separator: ", ")) (counted as no match)."),
            errors: matchErrors)
    }

    /// The kind's fallback among `candidates`: nil when none is, `AmbiguousPlugin` when several are.
    static func fallback(of kind: String, among candidates: [PluginRecord]) throws(DagstackError) -> PluginRecord? {
        let fallbacks = candidates.filter(\.manifest.fallback)
        if fallbacks.count > 1 {
            throw DagstackError(
                .ambiguousPlugin,
                "Kind '\(kind)' has \(fallbacks.count) fallback plugins (\(fallbacks.map(\.name).joined(separator: ", "))); at most one may set fallback = true")
        }
        return fallbacks.first
    }
}
