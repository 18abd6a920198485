import PluginSystem

/// A command that could not run, said so a person knows what to type instead. Never a crash.
public struct ConsoleError: Error, Sendable {
    public var message: String
    /// The runtime error behind it, when a plugin or the runtime failed.
    public var underlying: DagstackError?

    public init(_ message: String, underlying: DagstackError? = nil) {
        self.message = message
        self.underlying = underlying
    }

    public init(_ error: DagstackError) {
        message = error.description
        underlying = error
    }

    var json: JSONValue {
        var o: JSONObject = ["message": .string(message)]
        if let e = underlying { o["code"] = .string(e.code.rawValue); o.merge(ErrorJSON.fields(e)) { a, _ in a } }
        return .object(o)
    }
}

/// Runtime errors as JSON and as text, the same everywhere a command shows one.
enum ErrorJSON {
    static func fields(_ e: DagstackError) -> JSONObject {
        var o: JSONObject = ["code": .string(e.code.rawValue), "message": .string(e.message)]
        if let p = e.plugin { o["plugin"] = .string(p) }
        if let t = e.exceptionType { o["exception_type"] = .string(t) }
        if let t = e.traceback { o["traceback"] = .string(t) }
        if !e.errors.isEmpty { o["errors"] = .array(e.errors.map { .object(fields($0)) }) }
        if !e.logs.isEmpty { o["logs"] = .array(e.logs.map(LogJSON.json)) }
        return o
    }

    static func json(_ e: DagstackError) -> JSONValue { .object(fields(e)) }

    /// The error, its traceback, what the plugin wrote before it failed (unless the caller shows
    /// that itself: `logs: false`) and the errors it gathers; every line indented with the first.
    static func text(_ e: DagstackError, _ style: TextStyle, indent: String = "", logs: Bool = true) -> String {
        let message = e.message.split(separator: "\n", omittingEmptySubsequences: false)
        var lines = [indent + style.red(e.code.rawValue) + ": " + (message.first.map(String.init) ?? "")]
        // A message's own further lines (a crash's "stderr (last lines)") stay under it, unless they
        // are the stderr the error's logs already show (here or beside the stage): said once.
        if !repeatsItsLogs(message.dropFirst(), e.logs) {
            lines += message.dropFirst().map { indent + "  " + String($0) }
        }
        if let traceback = e.traceback?.trimmingCharacters(in: .newlines), !traceback.isEmpty, !repeatsItsHeadline(traceback, e.message) {
            lines += traceback.split(separator: "\n", omittingEmptySubsequences: false).map { indent + "  " + style.dim(String($0)) }
        }
        if logs { lines += e.logs.map { indent + "  " + LogJSON.text($0, style) } }
        for inner in e.errors { lines.append(text(inner, style, indent: indent + "  ", logs: logs)) }
        return lines.joined(separator: "\n")
    }
}

extension ErrorJSON {
    /// Whether a traceback is no more than the error's headline again: one line and no frame
    /// (`SerializationError: …` for a value the host could not send, a type alone) whose text the
    /// message already says. Printed, it would say the same fact twice.
    static func repeatsItsHeadline(_ traceback: String, _ message: String) -> Bool {
        let lines = traceback.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }
        guard lines.count == 1, let line = lines.first.map(String.init) else { return false }
        if message.contains(line) { return true }
        guard let colon = line.range(of: ": ") else { return false }
        let text = line[colon.upperBound...]
        return !text.isEmpty && message.contains(text)
    }

    /// Whether a message's further lines are a "stderr (last lines)" block whose every line is one
    /// of the stderr lines in `logs`.
    static func repeatsItsLogs(_ further: ArraySlice<Substring>, _ logs: [PluginLog]) -> Bool {
        guard further.first == "stderr (last lines):" else { return false }
        let stderr = Set(logs.lazy.filter { $0.stream == "stderr" }.map(\.text))
        return further.dropFirst().allSatisfy { stderr.contains(String($0)) }
    }
}

enum LogJSON {
    static func json(_ log: PluginLog) -> JSONValue {
        var o: JSONObject = ["stream": .string(log.stream), "text": .string(log.text)]
        if let level = log.level { o["level"] = .string(level) }
        return .object(o)
    }

    static func text(_ log: PluginLog, _ style: TextStyle) -> String {
        let tag = log.level.map { "\(log.stream) \($0.lowercased())" } ?? log.stream
        return style.dim(tag + " │ ") + log.text
    }
}

import Foundation
