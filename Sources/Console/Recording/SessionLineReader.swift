import Foundation
import PluginSystem

/// Reads a session file line by line through a fixed buffer, so neither a long recording nor one
/// huge line is read whole before it is needed.
final class SessionLineReader {
    struct Line {
        /// 1-based line number.
        var number: Int
        /// Where the line starts in the file.
        var offset: Int
        var bytes: [UInt8]
        /// Whether a newline ended it (false only for a last line cut off).
        var terminated: Bool
    }

    let path: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var fileOffset = 0
    private var atEnd = false
    private var number = 0

    init(_ path: String) throws(SessionFileError) {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let why = errno == ENOENT ? "does not exist" : "cannot be read (\(String(cString: strerror(errno))))"
            throw SessionFileError(message: "\(path) \(why)")
        }
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            Glibc.close(fd)
            throw SessionFileError(message: "\(path) is a folder, not a session file")
        }
        self.path = path
    }

    func close() { Glibc.close(fd) }

    /// Reads more into the buffer; false at the end of the file.
    private func fill() throws(SessionFileError) -> Bool {
        guard !atEnd else { return false }
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw SessionFileError(message: "\(path) cannot be read (\(String(cString: strerror(errno))))") }
            if count == 0 { atEnd = true; return false }
            buffer.append(contentsOf: chunk[0..<count])
            return true
        }
    }

    func nextLine() throws(SessionFileError) -> Line? {
        var searchFrom = start
        while true {
            if let newline = buffer[searchFrom...].firstIndex(of: 0x0A) {
                number += 1
                let line = Line(number: number, offset: fileOffset, bytes: Array(buffer[start..<newline]), terminated: true)
                fileOffset += newline - start + 1
                start = newline + 1
                return line
            }
            searchFrom = buffer.count
            let offsetInBuffer = searchFrom - start
            guard try fill() else {
                guard start < buffer.count else { return nil }
                number += 1
                let line = Line(number: number, offset: fileOffset, bytes: Array(buffer[start...]), terminated: false)
                fileOffset += buffer.count - start
                start = buffer.count
                return line
            }
            searchFrom = start + offsetInBuffer
        }
    }

    /// The lines from here to the end (only non-empty ones after the first when asked), not kept.
    func countLines(nonEmptyAfterFirst: Bool) throws(SessionFileError) -> Int {
        var count = 0
        var first = true
        while let line = try nextLine() {
            if first { first = false; continue }
            if !nonEmptyAfterFirst || !line.bytes.isEmpty { count += 1 }
        }
        return count
    }

    /// `count` bytes at `offset`.
    func bytes(at offset: Int, count: Int) throws(SessionFileError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw SessionFileError(message: "\(path) changed since it was opened") }
            done += n
        }
        return bytes
    }
}
