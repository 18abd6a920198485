import OrderedCollections
/// Calls one plugin's hook the way every dispatcher must: inside the middleware that wraps it,
/// reported to observers, with any error naming the plugin.
struct HookInvoker: Sendable {
    let registry: PluginRegistry

    /// Calls `hook` on `record`, wrapped by every active middleware whose `chain_wrap` covers
    /// `kind.hook` (outermost first): each `before(ctx, kind, name, hook, args)` may replace the
    /// arguments by returning `{"args": [...], "kwargs": {...}}`; each `after(ctx, kind, name, hook,
    /// result)` may replace the result by returning anything but null.
    func call(
        _ record: PluginRecord, kind: String, hook: String, arguments: HookArguments, metadata: JSONObject,
        middleware: [PluginRecord]? = nil, observers: [any HookObserver]? = nil, role: HookRole = .hook
    ) async throws(DagstackError) -> HookReply {
        // A dispatch passes what it looked up once; a single call looks them up itself.
        let wrappers = record.storage.isMiddleware ? [] : (middleware ?? registry.middleware(kind: kind, hook: hook))
        let observers = observers ?? registry.observers
        if wrappers.isEmpty {
            return try await raw(record, kind: kind, hook: hook, role: role, arguments: arguments, metadata: metadata, observers: observers)
        }
        var arguments = arguments
        var logs: [PluginLog] = []
        for wrapper in wrappers where wrapper.implements("before") {
            let reply = try await raw(
                wrapper, kind: kind, hook: "before", role: .middlewareBefore(wrapping: record.name),
                arguments: HookArguments([.string(kind), .string(record.name), .string(hook), arguments.json]),
                metadata: metadata, observers: observers)
            logs += reply.logs
            if case .value(let replacement) = reply.output, replacement != .null {
                guard let replaced = HookArguments(json: replacement) else {
                    throw DagstackError(
                        .dispatchMismatch,
                        "Middleware '\(wrapper.name)' before() must return null or {\"args\": [...], \"kwargs\": {...}}, got \(replacement.typeName)",
                        plugin: wrapper.name)
                }
                arguments = replaced
            }
        }
        var reply = try await raw(record, kind: kind, hook: hook, role: role, arguments: arguments, metadata: metadata, observers: observers)
        for wrapper in wrappers.reversed() where wrapper.implements("after") {
            let after = try await raw(
                wrapper, kind: kind, hook: "after", role: .middlewareAfter(wrapping: record.name),
                arguments: HookArguments([.string(kind), .string(record.name), .string(hook), reply.output.wire]),
                metadata: metadata, observers: observers)
            reply.logs += after.logs
            // A replaced result is the middleware's, not the nothing the plugin returned.
            if case .value(let replacement) = after.output, replacement != .null {
                reply.output = HookOutput(wire: replacement)
                reply.returnedNothing = nil
            }
            if case .stopChain = after.output {
                reply.output = .stopChain
                reply.returnedNothing = nil
            }
        }
        reply.logs = logs + reply.logs
        return reply
    }

    /// One call with no middleware: the plugin's code, timed and reported when anyone watches.
    func raw(
        _ record: PluginRecord, kind: String, hook: String, role: HookRole, arguments: HookArguments,
        metadata: JSONObject, observers: [any HookObserver]
    ) async throws(DagstackError) -> HookReply {
        guard let instance = record.instance else {
            throw DagstackError(.pluginLoadError, "Plugin '\(record.name)' is not bound to code", plugin: record.name)
        }
        let context = HookContext(plugin: record.name, kind: kind, hook: hook, metadata: metadata, resources: record.resources)
        for observer in observers { observer.hookWillRun(plugin: record.name, kind: kind, hook: hook, role: role) }
        let started = observers.isEmpty ? nil : ContinuousClock.now
        let outcome: Result<HookReply, DagstackError>
        do {
            outcome = .success(try await instance.call(hook, arguments, context: context))
        } catch {
            let failure = DagstackError.from(error, plugin: record.name, during: "\(kind).\(hook)")
            if failure.pluginStopped { registry.markFailed(record.name, failure) }
            outcome = .failure(failure)
        }
        if let started {
            let event = HookEvent(
                plugin: record.name, kind: kind, hook: hook, role: role, arguments: arguments, outcome: outcome,
                duration: ContinuousClock.now - started)
            for observer in observers { observer.hookDidRun(event) }
        }
        return try outcome.get()
    }
}
