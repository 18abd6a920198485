import Foundation
import Inspector
import PluginHosts
import PluginSystem

/// Compares a recorded command result with the same command's result now (or with another
/// recording's), leaving out what changes from run to run — durations, process ids, the console's
/// own blob store folder, where the plugin directory lives on disk — and what the user's ignore
/// rules name. Texts compare exactly (by Unicode scalars), as every plugin sees them.
struct ResultComparison: Sendable {
    /// Keys whose values depend on the run, not on the plugins (`edited_since_load`: the recording's
    /// header already says which code its results came from).
    static let runDependent: Set<String> = ["duration_us", "debugger_us", "pid", "edited_since_load"]

    /// Path prefixes that name the plugin directory, recorded and now, replaced by `<plugins>`.
    let directoryForms: [String]
    let ignore: IgnoreRules
    /// The session format the older side was recorded in: both sides are compared in its shape.
    let version: Int

    init(recordedDirectories: [String], currentDirectories: [String], ignore: IgnoreRules = .none, version: Int = SessionFile.version) {
        self.version = version
        directoryForms = Set((recordedDirectories + currentDirectories).filter { !$0.isEmpty })
            .sorted { $0.count > $1.count }  // longest first, so an absolute path wins over a relative one
        self.ignore = ignore
    }

    func normalize(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let o):
            var out = JSONObject()
            for (key, member) in o where !Self.runDependent.contains(key) { out[key] = normalize(member) }
            // An HTTP exchange's log line says how long it took.
            if o["stream"] == "http", let text = out["text"]?.stringValue { out["text"] = .string(HTTPLog.withoutElapsed(text)) }
            return .object(out)
        case .array(let a):
            return .array(a.map(normalize))
        case .string(let s):
            if directoryForms.contains(s) { return "<plugins>" }
            // Every form below and every blob store path holds a "/": most strings (values, log lines)
            // hold none, and Foundation's replacing, which bridges each string, was half of a replay.
            guard s.utf8.contains(UInt8(ascii: "/")) else { return value }
            var text = s
            for form in directoryForms { text = text.replacingOccurrences(of: form + "/", with: "<plugins>/") }
            return .string(Self.withoutTemporaryPaths(text))
        default:
            return value
        }
    }

    /// The folders temporary files are made in (the console makes its blob store folder in one).
    static let temporaryRoots: [String] = {
        var roots = ["/tmp/", "/var/tmp/", "/dev/shm/"]
        let own = NSTemporaryDirectory()
        if !own.isEmpty { roots.append(own.hasSuffix("/") ? own : own + "/") }
        if let variable = ProcessInfo.processInfo.environment["TMPDIR"], !variable.isEmpty {
            roots.append(variable.hasSuffix("/") ? variable : variable + "/")
        }
        return Array(Set(roots)).sorted { $0.count > $1.count }
    }()

    /// `text` with each path into a blob store folder the console made for its run
    /// (`/tmp/dagstack-blobs-1F3A…/a.bin`) as `<tmp>/a.bin`: a new folder each run, the same file.
    /// Any other temporary path is a plugin's own choice and compares as it is: a plugin that now
    /// writes to `/tmp/reports-v2` instead of `/tmp/reports-v1` changed what it returns.
    static func withoutTemporaryPaths(_ text: String) -> String {
        guard text.utf8.firstRange(of: PluginDirectory.temporaryBlobFolderPrefix.utf8) != nil else { return text }
        var text = text
        for root in temporaryRoots.map({ $0 + PluginDirectory.temporaryBlobFolderPrefix }) where text.contains(root) {
            var result = "", rest = Substring(text)
            while let found = rest.range(of: root) {
                // Only where a path starts, not inside a longer one (`/home/me/tmp/`).
                let preceding = found.lowerBound > rest.startIndex ? rest[rest.index(before: found.lowerBound)] : (result.last ?? " ")
                guard " \t\n\"'=:(<[{,".contains(preceding) else {
                    result += rest[..<found.upperBound]
                    rest = rest[found.upperBound...]
                    continue
                }
                result += rest[..<found.lowerBound] + "<tmp>"
                rest = rest[found.upperBound...].drop { !"/ \t\n\"',;:)]}".contains($0) }
            }
            text = result + rest
        }
        return text
    }

    /// How a result compares: the differences left, how many the ignore rules hid, and for traces
    /// the first stage that differs.
    struct Outcome: Sendable {
        var diff: [PatchOperation]
        var ignored: Int
        var firstStage: StageDifference?
        var isSame: Bool { diff.isEmpty }
    }

    func compare(recorded: JSONValue, now: JSONValue) -> Outcome {
        let before = normalize(Self.withoutDerived(ResultShape.asRecorded(recorded, version: version)))
        let after = normalize(Self.withoutDerived(ResultShape.asRecorded(SessionRecorder.recordable(now), version: version)))
        let all = JSONDiff.diff(before, after)
        guard !all.isEmpty else { return Outcome(diff: [], ignored: 0, firstStage: nil) }
        guard !ignore.isEmpty else { return Outcome(diff: all, ignored: 0, firstStage: firstStageDifference(before, after)) }
        let (a, b) = (ignore.prune(before), ignore.prune(after))
        let left = JSONDiff.diff(a, b)
        return Outcome(diff: left, ignored: ignore.countDiffering(before, after), firstStage: left.isEmpty ? nil : firstStageDifference(a, b))
    }

    /// A result without what it only derives from earlier results of its session: a `reload`'s
    /// `changes` compare its trace with the one before it, which a replay compares on its own — and
    /// a recording of an edit-reload loop replays against the edited code, so they could never agree.
    static func withoutDerived(_ result: JSONValue) -> JSONValue {
        guard case .object(var o) = result, o["command"] == "reload", o["changes"] != nil else { return result }
        o["changes"] = nil
        return .object(o)
    }

    /// For results with trace stages (normalized): the first stage whose status or value differs.
    func firstStageDifference(_ recorded: JSONValue, _ now: JSONValue) -> StageDifference? {
        let old = stages(of: recorded), new = stages(of: now)
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
