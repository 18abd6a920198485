import Foundation
import PluginHosts
import PluginSystem
import Synchronization
import SystemPackage

/// Appends a session to a file as it happens. Each entry is one `write(2)` of one line, done before
/// the next command runs: if the console is killed, every completed command is in the file and the
/// file still parses (at worst a torn last line, which replay reports and ignores).
final class SessionRecorder: Sendable {
    let path: String
    private let fd: Int32
    private let count = Mutex(0)

    /// Creates `path` (refusing to overwrite a file that exists) and writes the header.
    init(path: String, header: SessionFile.Header) throws(ConsoleError) {
        try Self.makeFolders(FilePath(path).removingLastComponent())
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            if errno == EEXIST { throw ConsoleError("\(path) already exists; choose another name or remove it") }
            throw ConsoleError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        self.path = path
        self.fd = fd
        try write(header.json)
    }

    /// Creates `folder` and the folders above it that are missing; an error names the one that
    /// could not be made and why (a folder without write permission, a file in the way).
    static func makeFolders(_ folder: FilePath) throws(ConsoleError) {
        guard !folder.isEmpty else { return }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.string, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ConsoleError("cannot record into \(folder.string): it is a file, not a folder") }
            return
        }
        try makeFolders(folder.removingLastComponent())
        guard mkdir(folder.string, 0o755) == 0 || errno == EEXIST else {
            throw ConsoleError("cannot create the folder \(folder.string): \(String(cString: strerror(errno)))")
        }
    }

    var entries: Int { count.withLock { $0 } }

    /// How deep a recorded result may nest: the entry around it adds two levels, and the file must
    /// read back with the same parser (`JSONValue.maximumNestingDepth`).
    static let resultDepth = JSONValue.maximumNestingDepth - 4
    static let tooDeep: JSONValue = .string("<nested deeper than \(resultDepth) levels: not recorded>")

    /// A result as it is recorded (and as a replay compares it): parts nested too deep to read back
    /// are replaced by a marker.
    static func recordable(_ result: JSONValue) -> JSONValue {
        result.nestingDepth > resultDepth ? result.truncated(deeperThan: resultDepth, marker: tooDeep) : result
    }

    func append(line: String, state: JSONValue, result: JSONValue, http: [HTTPExchange] = []) throws(ConsoleError) {
        let seq = count.withLock { $0 += 1; return $0 }
        var entry: JSONObject = ["seq": .int(seq), "line": .string(line), "state": state, "result": Self.recordable(result)]
        if !http.isEmpty { entry["http"] = .array(http.map(\.json)) }
        try write(.object(entry))
    }

    private func write(_ value: JSONValue) throws(ConsoleError) {
        var bytes = value.encodedBytes()
        bytes.append(0x0A)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw ConsoleError("cannot write to \(path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    func close() { Glibc.close(fd) }
}
