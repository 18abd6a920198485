import Inspector
import PluginSystem

/// The `--json` shape of a trace: {"kind","hook","input","output","stopped_by","error","stages":[…]}.
enum TraceJSON {
    static func object(_ r: TraceResult) -> JSONObject {
        [
            "kind": .string(r.kind), "hook": .string(r.hook), "input": r.input, "output": r.output ?? .null,
            "stopped_by": r.stoppedBy.map(JSONValue.string) ?? .null,
            "error": r.error.map(ErrorJSON.json) ?? .null,
            "stages": .array(r.stages.map(stage)),
        ]
    }

    static func stage(_ s: StageTrace) -> JSONValue {
        var o: JSONObject = [
            "plugin": .string(s.plugin), "priority": .int(s.priority), "status": .string(s.status.rawValue),
            "before": s.before ?? .null, "after": s.after ?? .null, "diff": .array(s.diff.map(\.json)),
            "duration_us": s.durationMicros.map { .int($0) } ?? .null, "logs": .array(s.logs.map(LogJSON.json)),
        ]
        if let error = s.error { o["error"] = ErrorJSON.json(error) }
        if let note = s.note { o["note"] = .string(note) }
        if !s.middleware.isEmpty {
            o["middleware"] = .array(s.middleware.map { m in
                var mo: JSONObject = [
                    "plugin": .string(m.plugin), "hook": .string(m.hook), "replaced": .bool(m.replaced),
                    "duration_us": .int(m.durationMicros), "logs": .array(m.logs.map(LogJSON.json)),
                ]
                if let e = m.error { mo["error"] = ErrorJSON.json(e) }
                return .object(mo)
            })
        }
        return .object(o)
    }
}
