import Foundation
import Inspector
import PluginSystem

/// The `--json` shape of a trace: {"kind","hook","input","output","stopped_by","error","stages":[…]}.
enum TraceJSON {
    static func object(_ r: TraceResult) -> JSONObject {
        var o: JSONObject = [
            "kind": .string(r.kind), "hook": .string(r.hook), "input": r.input, "output": r.output ?? .null,
            "stopped_by": r.stoppedBy.map(JSONValue.string) ?? .null,
            "error": r.error.map(ErrorJSON.json) ?? .null,
            "stages": .array(r.stages.map(stage)),
        ]
        // An aborted walk returned nothing: the value it had reached is not the chain's output.
        if r.aborted {
            o["output"] = .null
            o["aborted"] = true
            o["reached"] = r.output ?? .null
        }
        return o
    }

    static func stage(_ s: StageTrace) -> JSONValue {
        var o: JSONObject = [
            "plugin": .string(s.plugin), "priority": .int(s.priority), "status": .string(s.status.rawValue),
            "before": s.before ?? .null, "after": s.after ?? .null, "diff": .array(s.diff.map(\.json)),
            "duration_us": s.durationMicros.map { .int($0) } ?? .null, "logs": .array(s.logs.map(LogJSON.json)),
        ]
        if let error = s.error { o["error"] = ErrorJSON.json(error) }
        if let note = s.note { o["note"] = .string(note) }
        // Only when middleware changed the value around the plugin: what the plugin itself changed.
        if let pluginDiff = s.pluginDiff { o["plugin_diff"] = .array(pluginDiff.map(\.json)) }
        if let waited = s.debuggerMicros { o["debugger_us"] = .int(waited) }
        if let nothing = s.returnedNothing { o["returned_nothing"] = nothingJSON(nothing) }
        if !s.middleware.isEmpty {
            o["middleware"] = .array(s.middleware.map { m in
                var mo: JSONObject = [
                    "plugin": .string(m.plugin), "hook": .string(m.hook), "replaced": .bool(m.replaced),
                    "duration_us": .int(m.durationMicros), "logs": .array(m.logs.map(LogJSON.json)),
                ]
                if let e = m.error { mo["error"] = ErrorJSON.json(e) }
                if !m.diff.isEmpty { mo["diff"] = .array(m.diff.map(\.json)) }
                if let waited = m.debuggerMicros { mo["debugger_us"] = .int(waited) }
                return .object(mo)
            })
        }
        return .object(o)
    }

    /// `{"as": "undefined", "input_changed": true}`: as the hosts put it on the wire.
    static func nothingJSON(_ nothing: ReturnedNothing) -> JSONValue {
        ["as": .string(nothing.word), "input_changed": .bool(nothing.inputChanged)]
    }

    /// A trace read back from its JSON (a recorded session's result), with what blame needs: the
    /// values, statuses, diffs and middleware changes. Nil when `json` is not a trace.
    static func decode(_ json: JSONValue) -> TraceResult? {
        guard let kind = json["kind"]?.stringValue, let hook = json["hook"]?.stringValue, let input = json["input"],
            let stages = json["stages"]?.arrayValue
        else { return nil }
        func ops(_ value: JSONValue?) -> [PatchOperation] { (value?.arrayValue ?? []).compactMap(PatchOperation.init(json:)) }
        func optional(_ value: JSONValue?) -> JSONValue? { value == nil || value == .null ? nil : value }
        func error(_ value: JSONValue?) -> DagstackError? {
            guard let o = optional(value) else { return nil }
            let code = o["code"]?.stringValue.flatMap(DagstackError.Code.init(rawValue:)) ?? .pluginError
            return DagstackError(code, o["message"]?.stringValue ?? "", plugin: o["plugin"]?.stringValue)
        }
        let decoded = stages.map { s in
            StageTrace(
                plugin: s["plugin"]?.stringValue ?? "?", priority: s["priority"]?.intValue ?? 0,
                status: s["status"]?.stringValue.flatMap(StageStatus.init(rawValue:)) ?? .notRun,
                before: optional(s["before"]), after: optional(s["after"]), diff: ops(s["diff"]),
                durationMicros: s["duration_us"]?.intValue, logs: [], error: error(s["error"]), note: s["note"]?.stringValue,
                middleware: (s["middleware"]?.arrayValue ?? []).map { m in
                    MiddlewareCall(
                        plugin: m["plugin"]?.stringValue ?? "?", hook: m["hook"]?.stringValue ?? "?", replaced: m["replaced"]?.boolValue ?? false,
                        durationMicros: m["duration_us"]?.intValue ?? 0, logs: [], error: error(m["error"]), diff: ops(m["diff"]))
                },
                pluginDiff: s["plugin_diff"].map { ops($0) })
        }
        let aborted = json["aborted"]?.boolValue ?? false
        return TraceResult(
            kind: kind, hook: hook, input: input, output: optional(aborted ? json["reached"] : json["output"]), stoppedBy: json["stopped_by"]?.stringValue,
            error: error(json["error"]), stages: decoded, aborted: aborted)
    }
}
