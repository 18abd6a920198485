import Foundation
import PluginHosts
import PluginSystem

/// A recorded console session: JSON Lines, a header then one entry per command (docs/sessions.md).
public struct SessionFile: Sendable {
    public static let format = "dagstack-console-session"
    /// 2 added the header's `ignore` (it changes what a replay compares) and `updated`; 3 the header's
    /// `http` and `setup_http` and the entries' `http` (network exchanges a replay serves again). A
    /// console that does not know them must not replay the file: it would compare what the file says
    /// may differ, or send requests to the network that the recording answers. 4 marks a stage or an
    /// answer that returned nothing (`returned_nothing`) and gives an aborted walk no `output` (its
    /// `aborted` and `reached` instead); 5 compares arrays in stage diffs element by element (an
    /// insertion at the front is one `add`). Results recorded before are compared in their shape
    /// (`ResultShape`).
    public static let version = 5

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
        /// What a replay leaves out (`record --ignore`): JSON Pointers with `*` (IgnoreRules).
        public var ignore: [String] = []
        /// What a replay does with the plugins' HTTP requests (`record --http`); nil in a file older
        /// than version 3, whose plugins' requests were not kept (a replay sends them as they were).
        public var http: HTTPMode? = .replay
        /// The HTTP exchanges the plugins made while the directory was loaded and set up, before
        /// the first command: a replay's own load is served from them.
        public var setupHTTP: [HTTPExchange] = []
        /// When `replay --update` last rewrote the file.
        public var updated: String?

        /// When and where its results come from: `recorded T on DIR`, and for a file `replay --update`
        /// rewrote, `, updated T` (the entries it rewrote are from then).
        public var provenance: String {
            "recorded \(created)" + (updated.map { ", updated \($0)," } ?? "") + " on \(pluginDir)"
        }

        var json: JSONValue {
            var o: JSONObject = [
                "format": .string(SessionFile.format), "version": .int(version), "tool": "dagstack-console",
                "tool_version": .string(toolVersion), "created": .string(created), "plugin_dir": .string(pluginDir),
                "plugin_dir_absolute": .string(pluginDirAbsolute), "plugins": .array(plugins.map(\.json)),
                "resources": .object(resources), "ignore": .array(ignore.map(JSONValue.string)),
            ]
            if let http { o["http"] = .string(http.rawValue) }
            if !setupHTTP.isEmpty { o["setup_http"] = .array(setupHTTP.map(\.json)) }
            if let updated { o["updated"] = .string(updated) }
            return .object(o)
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
        /// The HTTP exchanges the plugins made while it ran, in order.
        public var http: [HTTPExchange] = []
        /// Where it is in the file (1-based), for messages.
        public var fileLine: Int
    }

    /// Where an entry is in the file. Entries are read one at a time when they are replayed, so a
    /// recording larger than memory can be replayed.
    public struct EntryLocation: Sendable {
        public var seq: Int
        public var line: String
        public var fileLine: Int
        var offset: Int
        var length: Int
    }

    public var path: String
    public var header: Header
    public var locations: [EntryLocation]
    /// Problems that did not stop the file being used (a torn last line).
    public var warnings: [String]

    public var count: Int { locations.count }

    /// The entry at `index`, read from the file again (every entry was checked when the file was opened).
    public func entry(_ index: Int) throws(SessionFileError) -> Entry {
        let location = locations[index]
        let reader = try SessionLineReader(path)
        defer { reader.close() }
        let bytes = try reader.bytes(at: location.offset, count: location.length)
        guard let value = try? JSONValue.parse(bytes: bytes), let result = value["result"] else {
            throw SessionFileError(message: "\(path):\(location.fileLine): the entry changed since the file was opened")
        }
        var http: [HTTPExchange] = []
        for item in value["http"]?.arrayValue ?? [] {
            guard let exchange = HTTPExchange(json: item) else {
                throw SessionFileError(
                    message: "\(path):\(location.fileLine): an HTTP exchange needs a request (method, url) and a response (status) or an error, got \(item.encoded().prefix(200))")
            }
            http.append(exchange)
        }
        return Entry(seq: location.seq, line: location.line, state: value["state"] ?? .null, result: result, http: http, fileLine: location.fileLine)
    }

    /// The entry's line as it is in the file, byte for byte (a rewrite keeps what it does not change).
    func rawEntry(_ index: Int) throws(SessionFileError) -> [UInt8] {
        let location = locations[index]
        let reader = try SessionLineReader(path)
        defer { reader.close() }
        return try reader.bytes(at: location.offset, count: location.length)
    }
}

/// Why a session file cannot be used, naming the line at fault.
public struct SessionFileError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension SessionFile {
    /// Reads and checks a session file, one line at a time (memory stays bounded however long the
    /// recording). The last line may be incomplete (the console was killed while writing it): it is
    /// reported and ignored. Anything else wrong is an error naming the line.
    public static func read(_ path: String) throws(SessionFileError) -> SessionFile {
        let reader = try SessionLineReader(path)
        defer { reader.close() }
        let header = try readHeader(reader, path)
        var locations: [EntryLocation] = []
        var warnings: [String] = []
        while let line = try reader.nextLine() {
            if line.bytes.isEmpty { continue }
            let value: JSONValue
            do {
                value = try JSONValue.parse(bytes: line.bytes)
            } catch {
                if !line.terminated {
                    warnings.append("\(path):\(line.number): the last line is incomplete (the recording was interrupted); it is ignored")
                    break
                }
                throw SessionFileError(message: "\(path):\(line.number): corrupt entry: \(error)")
            }
            guard let text = value["line"]?.stringValue, case .int(let seq)? = value["seq"], value["result"] != nil else {
                let missing = ["seq", "line", "result"].filter { value[$0] == nil }.joined(separator: ", ")
                throw SessionFileError(message: "\(path):\(line.number): corrupt entry: missing \(missing.isEmpty ? "a field of the right type" : missing)")
            }
            locations.append(EntryLocation(seq: seq, line: text, fileLine: line.number, offset: line.offset, length: line.bytes.count))
        }
        return SessionFile(path: path, header: header, locations: locations, warnings: warnings)
    }

    /// The header alone (the first line), as `sessions` lists recordings.
    public static func readHeader(_ path: String) throws(SessionFileError) -> Header {
        let reader = try SessionLineReader(path)
        defer { reader.close() }
        return try readHeader(reader, path)
    }

    /// How many entry lines follow the header, counted without reading them.
    public static func entryCount(_ path: String) throws(SessionFileError) -> Int {
        let reader = try SessionLineReader(path)
        defer { reader.close() }
        return try reader.countLines(nonEmptyAfterFirst: true)
    }

    static func readHeader(_ reader: SessionLineReader, _ path: String) throws(SessionFileError) -> Header {
        guard let first = try reader.nextLine(), !first.bytes.isEmpty else {
            throw SessionFileError(message: "\(path) is empty: not a dagstack console session")
        }
        let notASession = SessionFileError(
            message: "\(path):1: not a dagstack console session (the first line must be a header with \"format\": \"\(format)\")")
        guard let headerValue = try? JSONValue.parse(bytes: first.bytes), headerValue["format"]?.stringValue == format else {
            throw notASession
        }
        guard let versionValue = headerValue["version"] else {
            throw SessionFileError(message: "\(path):1: the header has no format version")
        }
        guard case .int(let version) = versionValue else {
            throw SessionFileError(message: "\(path):1: the header's \"version\" must be a whole number, got \(versionValue.encoded())")
        }
        guard version >= 1 else {
            throw SessionFileError(message: "\(path):1: session format version \(version) does not exist (versions start at 1)")
        }
        guard version <= Self.version else {
            throw SessionFileError(
                message: "\(path):1: session format version \(version) is newer than this console reads (\(Self.version)); update dagstack-console")
        }
        var ignore: [String] = []
        if let rules = headerValue["ignore"] {
            guard let list = rules.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw SessionFileError(message: "\(path):1: the header's \"ignore\" must be a list of JSON Pointers, got \(rules.encoded())")
            }
            ignore = list.compactMap(\.stringValue)
            do { _ = try IgnoreRules(ignore) } catch { throw SessionFileError(message: "\(path):1: the header's \"ignore\": \(error.message)") }
        }
        var setupHTTP: [HTTPExchange] = []
        for item in headerValue["setup_http"]?.arrayValue ?? [] {
            guard let exchange = HTTPExchange(json: item) else {
                throw SessionFileError(
                    message: "\(path):1: the header's \"setup_http\" holds something that is not an HTTP exchange: \(item.encoded().prefix(200))")
            }
            setupHTTP.append(exchange)
        }
        var http: HTTPMode? = nil
        if let mode = headerValue["http"] {
            guard let name = mode.stringValue, let known = HTTPMode(rawValue: name) else {
                throw SessionFileError(
                    message: "\(path):1: the header's \"http\" must be one of \(HTTPMode.allCases.map(\.rawValue).joined(separator: ", ")), got \(mode.encoded())")
            }
            http = known
        }
        return Header(
            version: version, toolVersion: headerValue["tool_version"]?.stringValue ?? "?",
            created: headerValue["created"]?.stringValue ?? "?", pluginDir: headerValue["plugin_dir"]?.stringValue ?? "plugins",
            pluginDirAbsolute: headerValue["plugin_dir_absolute"]?.stringValue ?? "",
            plugins: (headerValue["plugins"]?.arrayValue ?? []).map { p in
                Plugin(
                    name: p["name"]?.stringValue ?? "?", kind: p["kind"]?.stringValue ?? "?", priority: p["priority"]?.intValue ?? 0,
                    runtime: p["runtime"]?.stringValue ?? "?", state: p["state"]?.stringValue ?? "?",
                    fingerprint: p["fingerprint"]?.stringValue ?? "")
            },
            resources: headerValue["resources"]?.objectValue ?? [:], ignore: ignore, http: http,
            setupHTTP: setupHTTP, updated: headerValue["updated"]?.stringValue)
    }
}
