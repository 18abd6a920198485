import Foundation
import PluginSystem

/// A recorded console session: JSON Lines, a header then one entry per command (docs/sessions.md).
public struct SessionFile: Sendable {
    public static let format = "dagstack-console-session"
    public static let version = 1

    public struct Plugin: Sendable, Equatable {
        public var name: String
        public var kind: String
        public var priority: Int
        public var runtime: String
        public var state: String
        public var fingerprint: String

        var json: JSONValue {
            ["name": .string(name), "kind": .string(kind), "priority": .int(priority), "runtime": .string(runtime),
             "state": .string(state), "fingerprint": .string(fingerprint)]
        }
    }

    public struct Header: Sendable {
        public var version: Int
        public var toolVersion: String
        public var created: String
        /// The plugin directory as the console was given it, and as an absolute path.
        public var pluginDir: String
        public var pluginDirAbsolute: String
        public var plugins: [Plugin]
        /// Custom resources given on the command line (`--resource`) when the recording started.
        public var resources: JSONObject

        var json: JSONValue {
            [
                "format": .string(SessionFile.format), "version": .int(version), "tool": "dagstack-console",
                "tool_version": .string(toolVersion), "created": .string(created), "plugin_dir": .string(pluginDir),
                "plugin_dir_absolute": .string(pluginDirAbsolute), "plugins": .array(plugins.map(\.json)),
                "resources": .object(resources),
            ]
        }
    }

    public struct Entry: Sendable {
        public var seq: Int
        /// The command line exactly as typed.
        public var line: String
        /// The switches in force when it ran: disabled plugins, priority overrides, resources set.
        public var state: JSONValue
        /// The same object `--json` prints for the command.
        public var result: JSONValue
        /// Where it is in the file (1-based), for messages.
        public var fileLine: Int
    }

    public var path: String
    public var header: Header
    public var entries: [Entry]
    /// Problems that did not stop the file being used (a torn last line).
    public var warnings: [String]
}

/// Why a session file cannot be used, naming the line at fault.
public struct SessionFileError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension SessionFile {
    /// Reads and checks a session file. The last line may be incomplete (the console was killed while
    /// writing it): it is reported and ignored. Anything else wrong is an error naming the line.
    public static func read(_ path: String) throws(SessionFileError) -> SessionFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            let why = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw SessionFileError(message: "\(path) \(why)")
        }
        var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
        let endsWithNewline = data.last == 0x0A
        if endsWithNewline { lines.removeLast() }
        guard let first = lines.first, !first.isEmpty else {
            throw SessionFileError(message: "\(path) is empty: not a dagstack console session")
        }
        let notASession = SessionFileError(
            message: "\(path):1: not a dagstack console session (the first line must be a header with \"format\": \"\(format)\")")
        guard let headerValue = try? JSONValue.parse(bytes: first), headerValue["format"]?.stringValue == format else {
            throw notASession
        }
        guard let version = headerValue["version"]?.intValue else {
            throw SessionFileError(message: "\(path):1: the header has no format version")
        }
        guard version <= Self.version else {
            throw SessionFileError(
                message: "\(path):1: session format version \(version) is newer than this console reads (\(Self.version)); update dagstack-console")
        }
        let header = Header(
            version: version, toolVersion: headerValue["tool_version"]?.stringValue ?? "?",
            created: headerValue["created"]?.stringValue ?? "?", pluginDir: headerValue["plugin_dir"]?.stringValue ?? "plugins",
            pluginDirAbsolute: headerValue["plugin_dir_absolute"]?.stringValue ?? "",
            plugins: (headerValue["plugins"]?.arrayValue ?? []).map { p in
                Plugin(
                    name: p["name"]?.stringValue ?? "?", kind: p["kind"]?.stringValue ?? "?", priority: p["priority"]?.intValue ?? 0,
                    runtime: p["runtime"]?.stringValue ?? "?", state: p["state"]?.stringValue ?? "?",
                    fingerprint: p["fingerprint"]?.stringValue ?? "")
            },
            resources: headerValue["resources"]?.objectValue ?? [:])

        var entries: [Entry] = []
        var warnings: [String] = []
        for (index, bytes) in lines.enumerated().dropFirst() {
            let number = index + 1
            let isLast = index == lines.count - 1
            if bytes.isEmpty { continue }
            let value: JSONValue
            do {
                value = try JSONValue.parse(bytes: bytes)
            } catch {
                if isLast && !endsWithNewline {
                    warnings.append("\(path):\(number): the last line is incomplete (the recording was interrupted); it is ignored")
                    break
                }
                throw SessionFileError(message: "\(path):\(number): corrupt entry: \(error)")
            }
            guard let line = value["line"]?.stringValue, let seq = value["seq"]?.intValue, let result = value["result"] else {
                let missing = ["seq", "line", "result"].filter { value[$0] == nil }.joined(separator: ", ")
                throw SessionFileError(message: "\(path):\(number): corrupt entry: missing \(missing.isEmpty ? "a field of the right type" : missing)")
            }
            entries.append(Entry(seq: seq, line: line, state: value["state"] ?? .null, result: result, fileLine: number))
        }
        return SessionFile(path: path, header: header, entries: entries, warnings: warnings)
    }
}
