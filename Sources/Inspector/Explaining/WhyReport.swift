import PluginSystem

/// Why a plugin did or did not run in a dispatch: its state and the reason, a hook it lacks (with
/// the method names that look like it), the user's switches, its place in the order, and what the
/// last dispatch of that hook did with it — the stage that stopped the chain before it, how the
/// singleton was chosen, what each candidate's `matches()` / `supports_*` said.
public struct WhyReport: Sendable {
    public struct Reason: Sendable, Equatable {
        /// A stable name for the fact (`state`, `missing_hook`, `stopped_before`…), for scripts.
        public var code: String
        public var text: String
        public init(code: String, text: String) {
            self.code = code
            self.text = text
        }
    }

    public var plugin: String
    public var kind: String
    public var hook: String
    /// Whether it ran in the last dispatch of `kind.hook`; nil when there was none this session.
    public var ran: Bool?
    /// The one-line answer.
    public var verdict: String
    public var reasons: [Reason]

    /// - Parameters:
    ///   - last: the last dispatch of `kind.hook`, if there was one.
    ///   - switchedOff: plugins the user switched off.
    public init(plugin record: PluginRecord, kind: String, hook: String, registry: PluginRegistry, last: DispatchRecord?, switchedOff: Set<String>) {
        plugin = record.name
        self.kind = kind
        self.hook = hook
        var reasons: [Reason] = []
        func say(_ code: String, _ text: String) { reasons.append(Reason(code: code, text: text)) }
        let name = record.name
        let last = last.flatMap { $0.kind == kind && $0.hook == hook ? $0 : nil }
        var ran: Bool? = nil
        var verdict = ""

        if record.manifest.isMiddleware {
            let wraps = record.manifest.chainWrap?.wraps(kind: kind, hook: hook) ?? false
            if wraps {
                say("middleware", "'\(name)' is middleware (priority \(record.priority), chain_wrap kinds \(Self.list(record.manifest.chainWrap?.kinds)), hooks \(Self.list(record.manifest.chainWrap?.hooks))): it is not a stage of \(kind).\(hook) but runs before and after each stage")
                if let trace = last?.trace {
                    let calls = trace.stages.flatMap(\.middleware).filter { $0.plugin == name }
                    ran = !calls.isEmpty
                    let changed = trace.stages.filter { $0.middleware.contains { $0.plugin == name && !$0.diff.isEmpty } }.map(\.plugin)
                    say("middleware_calls", "in the last \(kind).\(hook) it ran \(calls.count) time\(calls.count == 1 ? "" : "s")"
                        + (changed.isEmpty ? ", changing nothing" : "; it changed the value around \(changed.joined(separator: ", "))"))
                }
                verdict = ran == false ? "'\(name)' wraps \(kind).\(hook) but did not run in the last dispatch" : "'\(name)' wraps every stage of \(kind).\(hook)"
            } else {
                say("middleware", "'\(name)' is middleware whose chain_wrap (kinds \(Self.list(record.manifest.chainWrap?.kinds)), hooks \(Self.list(record.manifest.chainWrap?.hooks))) does not cover \(kind).\(hook)")
                ran = last == nil ? nil : false
                verdict = "'\(name)' does not wrap \(kind).\(hook)"
            }
        }
        if record.manifest.isMiddleware {
            Self.addState(record, switchedOff: switchedOff, say)
            self.ran = ran
            self.verdict = verdict
            self.reasons = reasons
            return
        }

        // Who could take part at all.
        if record.kind != kind {
            say("kind", "'\(name)' is of kind '\(record.kind)'; \(kind).\(hook) dispatches plugins of kind '\(kind)' only")
        }
        let active = Self.addState(record, switchedOff: switchedOff, say)
        let implements = record.implements(hook)
        if record.instance != nil && !implements {
            var text = "'\(name)' has no method '\(hook)'"
            let methods = (record.instance?.hookNames ?? []).filter { $0 != hook }
            if let near = Levenshtein.nearest(hook, in: methods, limit: 1).first {
                text += "; its method '\(near)' looks like it (a misspelt hook is never called)"
            } else if !methods.isEmpty {
                text += "; its methods: \(methods.joined(separator: ", "))"
            }
            say("missing_hook", text)
        }
        if let override = record.priorityOverride {
            say("priority_override", "you set its priority to \(override) with `priority \(name) \(override)`; its manifest says \(record.manifest.priority)")
        }
        let candidates = registry.candidates(kind: kind).filter { $0.implements(hook) }
        if let index = candidates.firstIndex(where: { $0.name == name }) {
            say("order", "it is \(index + 1) of \(candidates.count) active plugins with \(kind).\(hook), by priority (\(record.priority)) then name")
        }
        let eligible = record.kind == kind && active && implements

        // What the last dispatch of kind.hook did.
        guard let last else {
            say("no_dispatch", "\(kind).\(hook) was not dispatched in this session yet; this is what the next dispatch would see")
            self.ran = nil
            self.verdict = eligible ? "'\(name)' would take part in \(kind).\(hook)" : "'\(name)' would not take part in \(kind).\(hook)"
            self.reasons = reasons
            return
        }
        switch last.dispatchClass {
        case .chain:
            (ran, verdict) = Self.chain(name, last, say)
        case .singleton:
            (ran, verdict) = Self.singleton(record, last, registry: registry, candidates: candidates, say)
        case .capability:
            (ran, verdict) = Self.capability(name, last, registry: registry, say)
        case .broadcastCollect, .broadcastNotify:
            if last.answered.contains(name) {
                ran = true
                verdict = "'\(name)' answered in the last \(kind).\(hook)"
            } else if let error = last.raised[name] {
                ran = true
                say("raised", "it \(Self.failure(error)): \(error.message)")
                verdict = "'\(name)' ran in the last \(kind).\(hook) and \(Self.failure(error))"
            } else if last.notCalled.contains(name) {
                ran = false
                let failed = last.raised.keys.sorted().joined(separator: ", ")
                say("not_called", "error_policy fail_fast: \(failed) failed first, so the plugins after it were not called")
                verdict = "'\(name)' was not called: the collect stopped at the first failure"
            } else {
                ran = false
                verdict = "'\(name)' did not run in the last \(kind).\(hook)"
            }
        }
        if ran == false && verdict.isEmpty { verdict = "'\(name)' did not run in the last \(kind).\(hook)" }
        // The call that failed the plugin says its error: the state need not say it again.
        if case .failed(let error) = record.state,
            let state = reasons.firstIndex(where: { $0.code == "state" }),
            reasons.contains(where: { $0.code == "raised" && $0.text.hasSuffix(": " + error.message) })
        {
            reasons[state].text = "it is failed: the call below marked it failed"
        }
        self.ran = ran
        self.verdict = verdict
        self.reasons = reasons
    }

    /// Its state, with the reason; true when it is active.
    @discardableResult
    static func addState(_ record: PluginRecord, switchedOff: Set<String>, _ say: (String, String) -> Void) -> Bool {
        switch record.state {
        case .active:
            return true
        case .disabled:
            say("disabled", switchedOff.contains(record.name)
                ? "you switched it off with `disable \(record.name)` (`enable \(record.name)` switches it on)"
                : "it is switched off")
        case .failed(let error):
            say("state", "it is failed: \(error.message)")
        case .unavailable(let why):
            say("state", "it is unavailable: \(why)")
        case .registered, .tornDown:
            say("state", "it is \(record.state.name): not set up")
        }
        return false
    }

    static func chain(_ name: String, _ last: DispatchRecord, _ say: (String, String) -> Void) -> (Bool?, String) {
        guard let trace = last.trace else { return (nil, "") }
        let ref = "\(trace.kind).\(trace.hook)"
        guard let index = trace.stages.firstIndex(where: { $0.plugin == name }) else {
            // A finished trace lists every stage; one in progress only those it reached.
            if trace.output == nil {
                say("not_yet", "the walk has not reached it yet")
                return (false, "'\(name)' has not run yet: the walk stands before it")
            }
            return (false, "'\(name)' was not a stage of the last \(ref)")
        }
        let stage = trace.stages[index]
        let position = index + 1
        switch stage.status {
        case .changed:
            say("ran", "stage \(position) ran and changed the value: \(stage.diff.map { "\($0.op.rawValue) \($0.path.isEmpty ? "(value)" : $0.path)" }.joined(separator: ", "))")
            return (true, "'\(name)' ran in the last \(ref) (stage \(position)) and changed the value")
        case .unchanged:
            say("ran", "stage \(position) ran and returned the value unchanged")
            return (true, "'\(name)' ran in the last \(ref) (stage \(position)) and changed nothing")
        case .stopped:
            say("stopped", "it returned STOP_CHAIN: the stages after it did not run and the chain returned the value it was given")
            return (true, "'\(name)' ran in the last \(ref) (stage \(position)) and stopped the chain")
        case .error:
            let how = Self.failure(stage.error)
            say("raised", "it \(how): \(stage.error?.message ?? "an error")")
            return (true, "'\(name)' ran in the last \(ref) (stage \(position)) and \(how)")
        case .skipped:
            say("skipped", "you skipped it while stepping")
            return (false, "'\(name)' did not run in the last \(ref): you skipped it")
        case .disabled:
            return (false, "'\(name)' did not run in the last \(ref): it was switched off")
        case .notRun:
            if let note = stage.note {
                say("state_then", "it was \(note)")
                return (false, "'\(name)' did not run in the last \(ref): it was not active")
            }
            if let stopper = trace.stoppedBy, let at = trace.stages.firstIndex(where: { $0.plugin == stopper }), at < index {
                say("stopped_before", "\(stopper) (stage \(at + 1)) returned STOP_CHAIN before it")
                return (false, "'\(name)' did not run in the last \(ref): \(stopper) stopped the chain at stage \(at + 1)")
            }
            if let at = trace.stages.firstIndex(where: { $0.status == .error }), at < index {
                say("error_before", "\(trace.stages[at].plugin) (stage \(at + 1)) raised before it and the chain ended")
                return (false, "'\(name)' did not run in the last \(ref): the chain failed at stage \(at + 1)")
            }
            if trace.output == nil && trace.error == nil {
                say("not_yet", "the walk has not reached it yet")
                return (false, "'\(name)' has not run yet: the walk stands before it")
            }
            return (false, "'\(name)' did not run in the last \(ref)")
        }
    }

    static func singleton(
        _ record: PluginRecord, _ last: DispatchRecord, registry: PluginRegistry, candidates: [PluginRecord], _ say: (String, String) -> Void
    ) -> (Bool?, String) {
        let name = record.name
        let ref = "\(last.kind).\(last.hook)"
        let variable = SingletonDispatcher.overrideVariable(for: last.kind)
        let chosen = last.answered.first ?? last.raised.keys.first
        let pinned = registry.environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        let how: String
        if let pinned {
            how = "\(variable)=\(pinned) names it"
        } else if candidates.count == 1 {
            how = "it is the only active plugin with \(ref)"
        } else if let top = candidates.first {
            let next = candidates.dropFirst().first.map { ", ahead of \($0.name) (\($0.priority))" } ?? ""
            how = "it has the highest priority, \(top.priority)\(next)"
        } else {
            how = "no active plugin implements \(ref)"
        }
        if let error = last.error {
            say("dispatch_failed", "the last \(ref) chose no plugin: \(error.message)")
            return (false, "no plugin ran in the last \(ref)")
        }
        guard let chosen else { return (false, "no plugin ran in the last \(ref)") }
        if chosen == name {
            say("chosen", "the singleton chose it: \(how)")
            return (true, "'\(name)' was chosen for the last \(ref)")
        }
        say("chosen_other", "the singleton chose \(chosen): \(how)")
        if pinned == nil, record.isActive, record.implements(last.hook) {
            say("lower_priority", "its priority is \(record.priority)" + (pinned == nil ? "; set \(variable)=\(name) to choose it" : ""))
        }
        return (false, "'\(name)' did not run in the last \(ref): \(chosen) was chosen")
    }

    /// How a call that failed ended: a plugin that hung or was stopped did not raise anything.
    static func failure(_ error: DagstackError?) -> String {
        switch error?.code {
        case .pluginTimeout?: "timed out"
        case .cancelled?: "was interrupted"
        case .pluginCrashed?: "crashed"
        default: "raised"
        }
    }

    static func capability(_ name: String, _ last: DispatchRecord, registry: PluginRegistry, _ say: (String, String) -> Void) -> (Bool?, String) {
        let ref = "\(last.kind).\(last.hook)"
        let query = CapabilityQuery(last.arguments)
        let candidates = registry.candidates(kind: last.kind)
        var decided = false
        for candidate in candidates where !candidate.manifest.fallback {
            let probe = last.probes.first { $0.plugin == candidate.name }
            let line: String
            if decided {
                line = "not asked: \(last.chosen ?? "an earlier plugin") had matched"
            } else if candidate.implements(last.hook), let tag = query.match(candidate.manifest) {
                line = "\(tag) fits the input → chosen"
                decided = true
            } else if let probe {
                if let error = probe.error { line = "matches() raised \(error.message) (counted as no match)" }
                else if probe.matched { line = "matches() was truthy → chosen"; decided = true }
                else { line = "matches() said no" }
            } else if !candidate.implements("matches") {
                line = "no supports_* tag fits the input and it has no matches()"
            } else {
                line = "not asked"
            }
            say(candidate.name == name ? "verdict" : "candidate", "\(candidate.name): \(line)")
        }
        for fallback in candidates where fallback.manifest.fallback {
            say(fallback.name == name ? "verdict" : "candidate",
                "\(fallback.name): fallback — takes the call only when no other plugin matches" + (last.matchedBy == .fallback ? " → chosen" : ""))
        }
        if let error = last.error { say("dispatch_failed", "the last \(ref) chose no plugin: \(error.message)") }
        if last.chosen == name { return (true, "'\(name)' handled the last \(ref)") }
        return (false, "'\(name)' did not handle the last \(ref)" + (last.chosen.map { ": \($0) did" } ?? ""))
    }

    static func list(_ items: [String]?) -> String { "[" + (items ?? []).joined(separator: ", ") + "]" }
}
