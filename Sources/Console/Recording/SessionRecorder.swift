import Foundation
import PluginSystem
import Synchronization

/// Appends a session to a file as it happens. Each entry is one `write(2)` of one line, done before
/// the next command runs: if the console is killed, every completed command is in the file and the
/// file still parses (at worst a torn last line, which replay reports and ignores).
final class SessionRecorder: Sendable {
    let path: String
    private let fd: Int32
    private let count = Mutex(0)

    /// Creates `path` (refusing to overwrite a file that exists) and writes the header.
    init(path: String, header: SessionFile.Header) throws(ConsoleError) {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            if errno == EEXIST { throw ConsoleError("\(path) already exists; choose another name or remove it") }
            throw ConsoleError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        self.path = path
        self.fd = fd
        try write(header.json)
    }

    var entries: Int { count.withLock { $0 } }

    func append(line: String, state: JSONValue, result: JSONValue) throws(ConsoleError) {
        let seq = count.withLock { $0 += 1; return $0 }
        try write(["seq": .int(seq), "line": .string(line), "state": state, "result": result])
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
