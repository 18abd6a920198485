import Foundation
import PluginSystem
import SystemPackage

/// Rewrites a recording with what happens now (`replay --update`): the entries that diverged get the
/// new result (and HTTP exchanges); every other entry is copied byte for byte; the header records the
/// plugins as they are now and when the file was updated. The old file is kept beside it as a backup
/// (never overwriting an older backup), and the new one replaces it in one rename: a reader sees the
/// old file or the new, never half of one.
enum SessionUpdater {
    struct Outcome: Sendable {
        var file: String
        var backup: String
        /// The `seq` of each entry rewritten.
        var entries: [Int]
        /// Whether the header's `setup_http` was rewritten.
        var setupHTTP = false

        var json: JSONValue {
            ["file": .string(file), "backup": .string(backup), "entries": .array(entries.map(JSONValue.int)), "setup_http": .bool(setupHTTP)]
        }
    }

    /// One entry's new content.
    struct Replacement: Sendable {
        var result: JSONValue
        var http: [JSONValue]
    }

    static func rewrite(
        _ file: SessionFile, replacing replacements: [Int: Replacement], plugins: [SessionFile.Plugin], setupHTTP: [JSONValue]? = nil
    ) throws(SessionFileError) -> Outcome {
        let path = file.path
        var bytes = try header(of: file, plugins: plugins, setupHTTP: setupHTTP).encodedBytes()
        bytes.append(0x0A)
        for index in 0..<file.count {
            if let replacement = replacements[index] {
                let entry = try file.entry(index)
                var line: JSONObject = ["seq": .int(entry.seq), "line": .string(entry.line), "state": entry.state,
                                        "result": SessionRecorder.recordable(replacement.result)]
                if !replacement.http.isEmpty { line["http"] = .array(replacement.http) }
                bytes += JSONValue.object(line).encodedBytes()
            } else {
                bytes += try file.rawEntry(index)
            }
            bytes.append(0x0A)
        }
        let backup = backupName(for: path)
        try replace(path, with: bytes, keeping: backup)
        return Outcome(file: path, backup: backup, entries: replacements.keys.sorted().map { file.locations[$0].seq }, setupHTTP: setupHTTP != nil)
    }

    /// The header as it was (fields this console does not know are kept), at this format version,
    /// with the plugins as they are now, the time of the update and (when given) the set-up's HTTP exchanges.
    static func header(of file: SessionFile, plugins: [SessionFile.Plugin], setupHTTP: [JSONValue]?) throws(SessionFileError) -> JSONValue {
        let reader = try SessionLineReader(file.path)
        defer { reader.close() }
        guard let first = try reader.nextLine(), case .object(var header)? = try? JSONValue.parse(bytes: first.bytes) else {
            throw SessionFileError(message: "\(file.path) changed since it was opened")
        }
        header["version"] = .int(SessionFile.version)
        header["plugins"] = .array(plugins.map(\.json))
        header["updated"] = .string(ISO8601DateFormatter().string(from: Date()))
        if let setupHTTP {
            if setupHTTP.isEmpty { header.removeValue(forKey: "setup_http") } else { header["setup_http"] = .array(setupHTTP) }
        }
        return .object(header)
    }

    /// `FILE.bak`, or `FILE.bak.2`, `.3`… when that is taken: an update never destroys a backup.
    static func backupName(for path: String) -> String {
        var candidate = path + ".bak", number = 1
        while FileManager.default.fileExists(atPath: candidate) {
            number += 1
            candidate = path + ".bak.\(number)"
        }
        return candidate
    }

    /// Writes `bytes` to a new file beside `path` (same permissions), keeps `path` as `backup`, then
    /// renames the new file over `path`.
    static func replace(_ path: String, with bytes: [UInt8], keeping backup: String) throws(SessionFileError) {
        func failure(_ what: String) -> SessionFileError {
            SessionFileError(message: "cannot update \(path): \(what): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw failure("cannot read it") }
        let folder = FilePath(path).removingLastComponent()
        let name = FilePath(path).lastComponent?.string ?? "session.jsonl"
        let temporary = (folder.isEmpty ? FilePath(".") : folder).appending(".\(name).update-\(getpid())").string
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, info.st_mode & 0o777)
        guard fd >= 0 else { throw failure("cannot create \(temporary)") }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let error = failure("cannot write \(temporary)")
                close(fd)
                unlink(temporary)
                throw error
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            let error = failure("cannot write \(temporary)")
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        // A hard link keeps the old file as it is; where links are not possible, a copy.
        if link(path, backup) != 0 {
            do { try FileManager.default.copyItem(atPath: path, toPath: backup) } catch {
                unlink(temporary)
                throw SessionFileError(message: "cannot update \(path): cannot keep the old file as \(backup): \(error.localizedDescription)")
            }
        }
        guard rename(temporary, path) == 0 else {
            let error = failure("cannot replace it")
            unlink(temporary)
            throw error
        }
    }
}
