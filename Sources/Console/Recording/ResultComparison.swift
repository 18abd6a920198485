import Inspector
import PluginSystem

/// Compares a recorded command result with the same command's result now, leaving out what changes
/// from run to run: durations, process ids, and where the plugin directory lives on disk.
struct ResultComparison {
    /// Keys whose values depend on the run, not on the plugins.
    static let runDependent: Set<String> = ["duration_us", "pid"]

    /// Path prefixes that name the plugin directory, recorded and now, replaced by `<plugins>`.
    let directoryForms: [String]

    init(recordedDirectories: [String], currentDirectories: [String]) {
        directoryForms = Set((recordedDirectories + currentDirectories).filter { !$0.isEmpty })
            .sorted { $0.count > $1.count }  // longest first, so an absolute path wins over a relative one
    }

    func normalize(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let o):
            var out = JSONObject()
            for (key, member) in o where !Self.runDependent.contains(key) { out[key] = normalize(member) }
            return .object(out)
        case .array(let a):
            return .array(a.map(normalize))
        case .string(let s):
            var text = s
            for form in directoryForms {
                if text == form { return "<plugins>" }
                text = text.replacingOccurrences(of: form + "/", with: "<plugins>/")
            }
            return .string(text)
        default:
            return value
        }
    }

    /// How the result changed, as JSON Patch from recorded to now; empty when it is the same.
    func diff(recorded: JSONValue, now: JSONValue) -> [PatchOperation] {
        JSONDiff.diff(normalize(recorded), normalize(SessionRecorder.recordable(now)))
    }

    /// For results with trace stages: the first stage whose status or value differs.
    func firstStageDifference(recorded: JSONValue, now: JSONValue) -> StageDifference? {
        let old = stages(of: normalize(recorded)), new = stages(of: normalize(now))
        guard !old.isEmpty || !new.isEmpty else { return nil }
        for index in 0..<max(old.count, new.count) {
            let a: JSONValue? = index < old.count ? old[index] : nil
            let b: JSONValue? = index < new.count ? new[index] : nil
            if let a, let b, JSONDiff.diff(a, b).isEmpty { continue }
            let plugin = (b ?? a)?["plugin"]?.stringValue ?? "?"
            let valueDiff = JSONDiff.diff(a?["after"] ?? .null, b?["after"] ?? .null)
            return StageDifference(
                plugin: plugin, position: index + 1, recordedStatus: a?["status"]?.stringValue, nowStatus: b?["status"]?.stringValue,
                recordedPlugin: a?["plugin"]?.stringValue, valueDiff: valueDiff, fields: JSONDiff.diff(a ?? .null, b ?? .null))
        }
        return nil
    }

    /// A trace's stages, or a finished step's whole trace.
    func stages(of result: JSONValue) -> [JSONValue] {
        result["stages"]?.arrayValue.map { stages in
            result["trace"]?["stages"]?.arrayValue ?? stages
        } ?? []
    }
}

struct StageDifference: Sendable {
    var plugin: String
    var position: Int
    var recordedStatus: String?
    var nowStatus: String?
    /// The plugin recorded at that position, when another plugin stands there now.
    var recordedPlugin: String?
    /// How the stage's output changed, recorded → now.
    var valueDiff: [PatchOperation]
    /// Every field of the stage that differs (its logs, error, status…), recorded → now, with paths
    /// inside the stage.
    var fields: [PatchOperation]

    var json: JSONValue {
        [
            "plugin": .string(plugin), "position": .int(position),
            "recorded_plugin": recordedPlugin.map(JSONValue.string) ?? .null,
            "recorded_status": recordedStatus.map(JSONValue.string) ?? .null, "status": nowStatus.map(JSONValue.string) ?? .null,
            "diff": .array(valueDiff.map(\.json)), "fields": .array(fields.map(\.json)),
        ]
    }
}
