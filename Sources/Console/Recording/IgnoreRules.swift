import PluginSystem
import Inspector

/// What a comparison of results leaves out: JSON Pointers (RFC 6901) in which `*` stands for any
/// member or index — `/stages/*/after/request_id`. They come from `replay --ignore`, from the
/// recording's header (`record --ignore`) and from `sessions diff --ignore`.
///
/// A rule on a trace stage's value (`/stages/*/after/…` or `/stages/*/before/…`) covers that part of
/// the value wherever the trace shows it: the input, every stage's before and after, the stages'
/// diffs and the output — a random id a stage adds is in all of them, and the user named it once.
struct IgnoreRules: Sendable, Equatable {
    /// The pointers as given, for reports and for the update command a replay prints.
    let pointers: [String]
    private let patterns: [[String]]
    /// The part after `/stages/*/after` of the rules on a stage's value.
    private let valueTails: [[String]]
    /// Which patterns are such rules (counted once per stage that changed the value).
    private let patternIsValueRule: [Bool]

    static let none = IgnoreRules()

    private init() {
        pointers = []
        patterns = []
        valueTails = []
        patternIsValueRule = []
    }

    init(_ pointers: [String]) throws(ConsoleError) {
        var unique: [String] = []
        for pointer in pointers where !unique.contains(pointer) { unique.append(pointer) }
        self.pointers = unique
        var patterns: [[String]] = []
        for pointer in unique { patterns.append(try Self.tokens(pointer)) }
        self.patterns = patterns
        let tails = patterns.map { tokens -> [String]? in
            guard tokens.count > 3, tokens[0] == "stages", tokens[2] == "after" || tokens[2] == "before" else { return nil }
            return Array(tokens[3...])
        }
        valueTails = tails.compactMap { $0 }
        patternIsValueRule = tails.map { $0 != nil }
    }

    /// These rules and `more` together.
    func adding(_ more: [String]) throws(ConsoleError) -> IgnoreRules { try IgnoreRules(pointers + more) }

    var isEmpty: Bool { pointers.isEmpty }

    /// A pointer's reference tokens, unescaped (`~1` is `/`, `~0` is `~`); an error says what is wrong.
    static func tokens(_ pointer: String) throws(ConsoleError) -> [String] {
        guard pointer.hasPrefix("/") else {
            throw ConsoleError(
                "--ignore '\(pointer)': a JSON Pointer starts with / (for example /stages/*/after/request_id; * stands for any member or index)")
        }
        do { return try JSONPointer(parsing: pointer).tokens } catch { throw ConsoleError("--ignore '\(pointer)': \(error.message)") }
    }

    /// What stands in an array for an element a rule leaves out, so the indices after it still line up.
    static let marker: JSONValue = "<ignored>"

    /// `value` without anything the rules leave out.
    func prune(_ value: JSONValue) -> JSONValue {
        guard !isEmpty else { return value }
        var result = value
        for pattern in patterns { Self.remove(pattern[...], from: &result) }
        if !valueTails.isEmpty { pruneTraces(&result) }
        return result
    }

    /// How many places the rules name hold different values in `recorded` and `now` (present on one
    /// side only counts): the differences a report says it ignored. A trace's random id counts once,
    /// at the stage that made it, not again in every place the trace shows the value.
    func countDiffering(_ recorded: JSONValue, _ now: JSONValue) -> Int {
        var count = 0
        for (pattern, isValueRule) in zip(patterns, patternIsValueRule) where !isValueRule {
            count += Self.countDiffering(pattern[...], recorded, now)
        }
        guard !valueTails.isEmpty else { return count }
        // A trace at the top (trace) or under "trace" (reload's re-run, a finished step).
        for (a, b) in [(recorded, now), (recorded["trace"] ?? .null, now["trace"] ?? .null)] {
            let x = a["stages"]?.arrayValue ?? [], y = b["stages"]?.arrayValue ?? []
            for index in 0..<max(x.count, y.count) {
                let old: JSONValue? = index < x.count ? x[index] : nil, new: JSONValue? = index < y.count ? y[index] : nil
                for tail in valueTails {
                    let made = Self.countDiffering(tail[...], old?["after"], new?["after"]) > 0
                    let given = Self.countDiffering(tail[...], old?["before"], new?["before"]) > 0
                    if made && !given { count += 1 }
                }
            }
        }
        return count
    }

    private static func countDiffering(_ tokens: ArraySlice<String>, _ a: JSONValue?, _ b: JSONValue?) -> Int {
        guard let token = tokens.first else { return a == b ? 0 : 1 }
        let rest = tokens.dropFirst()
        if a?.objectValue != nil || b?.objectValue != nil {
            let x = a?.objectValue ?? [:], y = b?.objectValue ?? [:]
            let keys = token == "*" ? Array(x.keys) + y.keys.filter { x.exactValue(forKey: $0) == nil } : [token]
            return keys.reduce(0) { total, key in
                let l = x.exactValue(forKey: key), r = y.exactValue(forKey: key)
                return total + (l == nil && r == nil ? 0 : countDiffering(rest, l, r))
            }
        }
        if a?.arrayValue != nil || b?.arrayValue != nil {
            let x = a?.arrayValue ?? [], y = b?.arrayValue ?? []
            let indices = token == "*" ? Array(0..<max(x.count, y.count)) : (Int(token).map { [$0] } ?? [])
            return indices.reduce(0) { total, i in
                let l: JSONValue? = x.indices.contains(i) ? x[i] : nil, r: JSONValue? = y.indices.contains(i) ? y[i] : nil
                return total + (l == nil && r == nil ? 0 : countDiffering(rest, l, r))
            }
        }
        return 0
    }

    private static func remove(_ tokens: ArraySlice<String>, from value: inout JSONValue) {
        guard let token = tokens.first else { return }
        let rest = tokens.dropFirst()
        switch value {
        case .object(var object):
            let keys = token == "*" ? Array(object.keys) : (object.exactValue(forKey: token) != nil ? [token] : [])
            guard !keys.isEmpty else { return }
            value = .null  // the object is moved out and back, so it is not copied
            for key in keys {
                if rest.isEmpty { object.removeValue(forKey: key) } else { remove(rest, from: &object[key]!) }
            }
            value = .object(object)
        case .array(var array):
            let indices = token == "*" ? Array(array.indices) : (Int(token).map { array.indices.contains($0) ? [$0] : [] } ?? [])
            guard !indices.isEmpty else { return }
            value = .null
            for index in indices {
                if rest.isEmpty { array[index] = marker } else { remove(rest, from: &array[index]) }
            }
            value = .array(array)
        default:
            return
        }
    }

    /// Applies the rules on a stage's value to every trace inside `value` (a trace's result, a
    /// `reload`'s re-run and its changes, a finished `step`).
    private func pruneTraces(_ value: inout JSONValue) {
        switch value {
        case .object(var object):
            value = .null
            if object["stages"]?.arrayValue != nil {
                for key in ["input", "output"] where object[key] != nil {
                    for tail in valueTails { Self.remove(tail[...], from: &object[key]!) }
                }
                for key in ["diff", "output_diff"] where object[key] != nil { object[key] = pruneOperations(object[key]!) }
                if case .array(var stages) = object["stages"]! {
                    for index in stages.indices { pruneStage(&stages[index]) }
                    object["stages"] = .array(stages)
                }
            }
            for key in object.keys where key != "stages" { pruneTraces(&object[key]!) }
            value = .object(object)
        case .array(var array):
            value = .null
            for index in array.indices { pruneTraces(&array[index]) }
            value = .array(array)
        default:
            return
        }
    }

    private func pruneStage(_ stage: inout JSONValue) {
        guard case .object(var object) = stage else { return }
        stage = .null
        for key in ["before", "after"] where object[key] != nil {
            for tail in valueTails { Self.remove(tail[...], from: &object[key]!) }
        }
        for key in ["diff", "output_diff"] where object[key] != nil { object[key] = pruneOperations(object[key]!) }
        for key in object.keys where !["before", "after", "diff", "output_diff"].contains(key) { pruneTraces(&object[key]!) }
        stage = .object(object)
    }

    /// A stage's JSON Patch without the operations inside an ignored part of the value, and with the
    /// ignored parts cut out of the values of operations above it.
    private func pruneOperations(_ operations: JSONValue) -> JSONValue {
        guard case .array(let ops) = operations else { return operations }
        var kept: [JSONValue] = []
        for case var op in ops {
            guard let path = op["path"]?.stringValue, let tokens = try? Self.tokens(path.isEmpty ? "/" : path) else { kept.append(op); continue }
            let opTokens = path.isEmpty ? [] : tokens
            if valueTails.contains(where: { Self.matches(prefix: $0, of: opTokens) }) { continue }
            for tail in valueTails where Self.matches(prefix: opTokens, of: tail) && tail.count > opTokens.count {
                let inside = tail[opTokens.count...]
                op.modifyObject { o in
                    for key in ["value", "old"] where o[key] != nil { Self.remove(inside, from: &o[key]!) }
                }
            }
            kept.append(op)
        }
        return .array(kept)
    }

    /// Whether `pattern` (with `*`) matches the first `pattern.count` tokens of `tokens`.
    private static func matches(prefix pattern: [String], of tokens: [String]) -> Bool {
        guard pattern.count <= tokens.count else { return false }
        return zip(pattern, tokens).allSatisfy { $0 == "*" || $1 == "*" || $0 == $1 }
    }
}
