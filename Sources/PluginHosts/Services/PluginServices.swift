import Foundation
import PluginSystem
import Synchronization

/// What a plugin's code asks of the console while one of its calls is in progress, over its own
/// process's pipes (docs/stdio-protocol.md lists the methods):
/// - `registry.get_plugin` {kind, name?}: the plugin the docs' `ctx.registry.get_plugin` returns —
///   by name, or the kind's singleton choice (DAGSTACK_ACTIVE_<KIND>, then the highest priority; a
///   tie is AmbiguousPlugin); `local` when it runs in the asking interpreter;
/// - `registry.call` {plugin, hook, args, kwargs}: a hook of another plugin, run through the registry
///   (middleware, observers — so traces show it as a call nested in the caller's);
/// - `registry.list_manifests`;
/// - `http.request` {method, url, headers, body_base64, timeout}: the `http_client` resource; each
///   request and its response go into the calling plugin's log, secrets masked;
/// - `blob.put|get|delete|list|exists`: the `blob_store` resource.
final class PluginServices: PeerRequestHandler {
    /// The registry the plugins belong to; weak, as the registry owns the hosts that own this.
    private let registry: WeakRegistry
    /// The interpreter whose plugins count as `local` (a Python host), if any.
    private let host: ObjectIdentifier?
    /// The plugin a request comes from when it does not say (a stdio process is one plugin).
    private let plugin: String?

    init(registry: WeakRegistry, host: ObjectIdentifier? = nil, plugin: String? = nil) {
        self.registry = registry
        self.host = host
        self.plugin = plugin
    }

    func handle(_ request: PeerRequest) async -> PeerAnswer {
        guard let registry = registry.value else {
            return PeerAnswer(result: .failure(PeerError(message: "the plugin directory is closing", type: "RuntimeError")))
        }
        let caller = request.params["caller"]?.stringValue ?? plugin ?? "?"
        do {
            switch request.method {
            case "registry.get_plugin": return PeerAnswer(result: .success(try getPlugin(registry, request.params)))
            case "registry.call": return try await call(registry, request.params, caller: caller)
            case "registry.list_manifests": return PeerAnswer(result: .success(listManifests(registry)))
            case "http.request": return try await HTTPService(registry.resources).send(request.params, caller: caller)
            case let method where method.hasPrefix("blob."):
                return PeerAnswer(result: .success(try BlobService(registry.resources).run(String(method.dropFirst(5)), request.params)))
            default:
                throw PeerError(code: -32601, message: "the console has no method '\(request.method)'", type: "RuntimeError")
            }
        } catch let error as PeerError {
            return PeerAnswer(result: .failure(error))
        } catch {
            return PeerAnswer(result: .failure(PeerError(message: "\(error)", type: "RuntimeError")))
        }
    }

    // MARK: The registry

    func getPlugin(_ registry: PluginRegistry, _ params: JSONValue) throws(PeerError) -> JSONValue {
        guard let kind = params["kind"]?.stringValue else { throw PeerError(message: "get_plugin needs a kind", type: "TypeError") }
        let chosen = try Self.select(registry, kind: kind, name: params["name"]?.stringValue)
        let local = host != nil && (chosen.instance as? any InterpreterHosted).map { ObjectIdentifier($0.interpreterHost) } == host
        return ["plugin": .string(chosen.name), "local": .bool(local), "hooks": chosen.instance?.hookNames.map { .array($0.map(JSONValue.string)) } ?? .null]
    }

    /// The plugin `get_plugin(kind, name)` names. Plugins that failed, are unavailable, are switched
    /// off or torn down are not given out; a plugin not set up yet is (its dependents' set-up runs first).
    static func select(_ registry: PluginRegistry, kind: String, name: String?) throws(PeerError) -> PluginRecord {
        let ofKind = registry.ordered(kind: kind).filter { !$0.manifest.isMiddleware }
        guard !ofKind.isEmpty else { throw PeerError(message: "No plugins registered for kind '\(kind)'", type: "KindUnknown") }
        func usable(_ r: PluginRecord) -> Bool {
            switch r.state {
            case .active, .registered: true
            default: false
            }
        }
        if let name {
            guard let record = ofKind.first(where: { $0.name == name }) else {
                throw PeerError(
                    message: "No plugin with kind='\(kind)' name='\(name)'; available: [\(ofKind.map { "'\($0.name)'" }.joined(separator: ", "))]",
                    type: "KindUnknown")
            }
            guard usable(record) else {
                throw PeerError(message: "Plugin '\(name)' of kind '\(kind)' is \(record.state.name)\(record.state.reason.map { ": \($0)" } ?? "")", type: "KindUnknown")
            }
            return record
        }
        let candidates = ofKind.filter(usable)
        let variable = SingletonDispatcher.overrideVariable(for: kind)
        if let forced = registry.environment[variable], !forced.isEmpty {
            guard let record = candidates.first(where: { $0.name == forced }) else {
                throw PeerError(message: "\(variable)=\(forced) names no usable plugin of kind '\(kind)'", type: "KindUnknown")
            }
            return record
        }
        guard let top = candidates.first else {
            throw PeerError(
                message: "No usable plugin of kind '\(kind)' (\(ofKind.map { "\($0.name): \($0.state.name)" }.joined(separator: ", ")))",
                type: "KindUnknown")
        }
        let tied = candidates.filter { $0.priority == top.priority }
        guard tied.count == 1 else {
            throw PeerError(
                message: "Multiple plugins registered for kind='\(kind)' with the top priority \(top.priority): [\(tied.map { "'\($0.name)'" }.joined(separator: ", "))]. Specify name= to disambiguate, or set \(variable).",
                type: "AmbiguousPlugin")
        }
        return top
    }

    func call(_ registry: PluginRegistry, _ params: JSONValue, caller: String) async throws -> PeerAnswer {
        guard let target = params["plugin"]?.stringValue, let hook = params["hook"]?.stringValue else {
            throw PeerError(message: "registry.call needs plugin and hook", type: "TypeError")
        }
        let arguments = HookArguments(params["args"]?.arrayValue ?? [], named: params["kwargs"]?.objectValue ?? [:])
        let started = ContinuousClock.now
        do {
            let reply = try await registry.call(target, hook: hook, arguments: arguments, calledBy: caller)
            let line = PluginLog(stream: "call", text: "\(target).\(hook) → \(reply.output.wire.encoded().prefix(200)) (\(Self.elapsed(since: started)))")
            return PeerAnswer(result: .success(["value": reply.output.wire]), logs: [line])
        } catch {
            let line = PluginLog(stream: "call", text: "\(target).\(hook) → \(error.code.rawValue): \(error.message.prefix(200))")
            return PeerAnswer(result: .failure(PeerError(message: error.message, type: error.exceptionType ?? error.code.rawValue)), logs: [line])
        }
    }

    func listManifests(_ registry: PluginRegistry) -> JSONValue {
        .array(registry.records.map { r in
            [
                "name": .string(r.name), "kind": .string(r.kind), "priority": .int(r.priority), "runtime": .string(r.manifest.runtime.rawValue),
                "depends_on": .array(r.manifest.dependsOn.map(JSONValue.string)), "state": .string(r.state.name),
            ]
        })
    }

    static func elapsed(since start: ContinuousClock.Instant) -> String {
        let micros = (ContinuousClock.now - start).components
        let ms = Double(micros.seconds) * 1000 + Double(micros.attoseconds) / 1e15
        return ms < 1 ? "<1 ms" : "\(Int(ms.rounded())) ms"
    }
}

/// A registry held without keeping it alive.
final class WeakRegistry: @unchecked Sendable {
    private let lock = Mutex<Void>(())
    private weak var registry: PluginRegistry?

    init(_ registry: PluginRegistry? = nil) { self.registry = registry }

    var value: PluginRegistry? {
        get { lock.withLock { _ in registry } }
        set { lock.withLock { _ in registry = newValue } }
    }
}
