import PluginSystem

/// How results read in earlier session formats: a recording an older console made replays against
/// this one without differing where only the shape of a result changed, never where its values did.
enum ResultShape {
    /// `result` as a console writing format `version` recorded it (unchanged for the current format).
    static func asRecorded(_ result: JSONValue, version: Int) -> JSONValue {
        var result = result
        if version < 4 { result = beforeVersion4(result) }
        if version < 5 { result = withoutStageDiffs(result) }
        return result
    }

    /// Before version 5 a stage's diff compared arrays position by position. Its `before` and
    /// `after` values say the same in full, so both sides are compared without the diffs (the
    /// stage's, the plugin's own, and its middleware's).
    static func withoutStageDiffs(_ result: JSONValue) -> JSONValue {
        guard case .object(var o) = result else { return result }
        func strip(_ trace: JSONObject) -> JSONObject {
            var t = trace
            guard let stages = t["stages"]?.arrayValue else { return t }
            t["stages"] = .array(stages.map { stage in
                guard case .object(var s) = stage else { return stage }
                s["diff"] = nil
                s["plugin_diff"] = nil
                if let calls = s["middleware"]?.arrayValue { s["middleware"] = .array(calls.map { without("diff", $0) }) }
                return .object(s)
            })
            return t
        }
        o = strip(o)
        if case .object(let trace)? = o["trace"] { o["trace"] = .object(strip(trace)) }
        return .object(o)
    }

    /// Before version 4 a stage or an answer that returned nothing (None, undefined) was not marked
    /// `returned_nothing`, and an aborted walk's value was its `output` (no `aborted`, `reached`).
    /// Only the result's own members change: the values a plugin returned are never looked into.
    static func beforeVersion4(_ result: JSONValue) -> JSONValue {
        guard case .object(var o) = result else { return result }
        if o["event"] == "aborted" { o["aborted"] = nil }
        o = traceBeforeVersion4(o)
        if case .object(let trace)? = o["trace"] { o["trace"] = .object(traceBeforeVersion4(trace)) }
        if let branches = o["branches"]?.arrayValue {
            o["branches"] = .array(branches.map { branch in
                guard case .object(var b) = branch, let reached = b["reached"] else { return branch }
                b["output"] = reached
                b["reached"] = nil
                return .object(b)
            })
        }
        if let answers = o["answers"]?.arrayValue { o["answers"] = .array(answers.map { without("returned_nothing", $0) }) }
        return .object(o)
    }

    private static func traceBeforeVersion4(_ trace: JSONObject) -> JSONObject {
        var o = trace
        if o["aborted"] == true {
            o["output"] = o["reached"] ?? .null
            o["aborted"] = nil
            o["reached"] = nil
        }
        if let stages = o["stages"]?.arrayValue { o["stages"] = .array(stages.map { without("returned_nothing", $0) }) }
        return o
    }

    private static func without(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(var o) = value else { return value }
        o[key] = nil
        return .object(o)
    }
}
