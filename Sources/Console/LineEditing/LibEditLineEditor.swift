import CLibEdit
import EditLineShim
import Foundation

/// The console's prompt on the system libedit: line editing, history kept in a private file, and
/// Tab completion from a callback.
public final class LibEditLineEditor: LineEditor {
    /// State the C callbacks reach through libedit's client data (no global mutable state).
    final class Callbacks {
        var prompt: UnsafeMutablePointer<CChar> = strdup("> ")
        let complete: (String) -> CompletionEdit
        let output: UnsafeMutablePointer<FILE>

        init(complete: @escaping (String) -> CompletionEdit, output: UnsafeMutablePointer<FILE>) {
            self.complete = complete
            self.output = output
        }

        deinit { free(prompt) }
    }

    private let editLine: OpaquePointer
    private let history: OpaquePointer
    private let callbacks: Callbacks
    private var historyFile: String?
    private var savedTerminal = termios()
    private let hasSavedTerminal: Bool

    /// - Parameters:
    ///   - historyFile: where history persists (created with mode 0600), or nil for none.
    ///   - complete: the word under the cursor and its candidates, for the text before the cursor.
    public init(historyFile: String?, complete: @escaping (String) -> CompletionEdit) {
        hasSavedTerminal = tcgetattr(STDIN_FILENO, &savedTerminal) == 0
        // libedit edits wide characters and hands lines back in the C library's multibyte encoding:
        // that must be UTF-8 (what the console reads), whatever locale the process started in, or
        // every non-ASCII character typed would be dropped.
        if setlocale(LC_CTYPE, "C.UTF-8") == nil { _ = setlocale(LC_CTYPE, "") }
        // libedit's own streams over the standard descriptors (the C globals are not concurrency-safe).
        let input = fdopen(STDIN_FILENO, "r")!, output = fdopen(STDOUT_FILENO, "w")!, errors = fdopen(STDERR_FILENO, "w")!
        setvbuf(output, nil, _IONBF, 0)
        callbacks = Callbacks(complete: complete, output: output)
        editLine = dsk_el_init("dagstack-console", input, output, errors)
        history = dsk_history_init(1000)
        self.historyFile = historyFile.flatMap(Self.usableHistoryFile)
        dsk_el_set_editor(editLine, "emacs")
        dsk_el_set_history(editLine, history)
        dsk_el_set_clientdata(editLine, Unmanaged.passUnretained(callbacks).toOpaque())
        dsk_el_set_prompt(editLine, libeditPrompt)
        dsk_el_add_function(editLine, "dagstack-complete", "Complete the word under the cursor", libeditComplete)
        dsk_el_bind(editLine, "^I", "dagstack-complete")
        dsk_el_source_defaults(editLine)  // the user's ~/.editrc, if any
        dsk_el_read_utf8(editLine)
        if let file = self.historyFile, FileManager.default.fileExists(atPath: file) {
            _ = dsk_history_load(history, file)
        }
    }

    /// `file` if history can be kept in it, else nil after a warning: libedit would read a device
    /// such as /dev/full or /dev/zero forever, so only a regular file (or none yet) will do.
    static func usableHistoryFile(_ file: String) -> String? {
        var info = stat()
        if stat(file, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFREG else {
                warn("the history file \(file) is not a regular file")
                return nil
            }
            guard access(file, R_OK | W_OK) == 0 else {
                warn("the history file \(file) cannot be read and written (\(String(cString: strerror(errno))))")
                return nil
            }
            return file
        }
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
        guard errno == ENOENT, access(folder, W_OK | X_OK) == 0 else {
            warn("the history file \(file) cannot be created (\(String(cString: strerror(errno))))")
            return nil
        }
        return file
    }

    static func warn(_ problem: String) {
        FileHandle.standardError.write(Data("dagstack-console: warning: \(problem); history is kept for this session only\n".utf8))
    }

    deinit {
        el_end(editLine)
        history_end(history)
    }

    public func readLine(prompt: String) -> LineInput {
        free(callbacks.prompt)
        callbacks.prompt = strdup(prompt)
        var bad: UInt8 = 0
        _ = dsk_el_take_invalid_byte(&bad)  // from an abandoned line
        var count: Int32 = 0
        errno = 0
        guard let raw = el_gets(editLine, &count) else {
            // A signal (Ctrl-C) interrupts the read; end of input returns no line and no error.
            if count < 0 || errno == EINTR { return .interrupted }
            fputs("\n", callbacks.output)
            return .endOfInput
        }
        guard count > 0 else { return .endOfInput }
        if dsk_el_take_invalid_byte(&bad) != 0 { return .notUTF8(offset: nil, byte: bad) }
        var bytes = UnsafeBufferPointer(start: UnsafeRawPointer(raw).assumingMemoryBound(to: UInt8.self), count: strlen(raw))[...]
        if bytes.last == 0x0A { bytes = bytes.dropLast() }
        return LineInput.decoding(bytes)
    }

    public func remember(_ line: String) {
        let entry = String(line.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
        guard !entry.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        dsk_history_enter(history, entry)
        guard let historyFile else { return }
        // Created private before libedit writes to it, and kept private.
        let fd = open(historyFile, O_WRONLY | O_CREAT, 0o600)
        if fd >= 0 { close(fd) }
        if fd < 0 || dsk_history_save(history, historyFile) < 0 {
            Self.warn("the history file \(historyFile) cannot be written (\(String(cString: strerror(errno))))")
            self.historyFile = nil
            return
        }
        chmod(historyFile, 0o600)
    }

    public func restoreTerminal() {
        if hasSavedTerminal { tcsetattr(STDIN_FILENO, TCSANOW, &savedTerminal) }
    }
}

private func callbacks(_ editLine: OpaquePointer?) -> LibEditLineEditor.Callbacks? {
    guard let editLine, let raw = dsk_el_get_clientdata(editLine) else { return nil }
    return Unmanaged<LibEditLineEditor.Callbacks>.fromOpaque(raw).takeUnretainedValue()
}

private func libeditPrompt(_ editLine: OpaquePointer?) -> UnsafeMutablePointer<CChar>? {
    callbacks(editLine)?.prompt
}

/// Tab: one candidate is completed (with a space after a whole word); several are completed to their
/// common prefix and, when that adds nothing, listed under the prompt. The word is retyped as the
/// console reads it back: blanks escaped, or inside the quote the user opened.
private func libeditComplete(_ editLine: OpaquePointer?, _ key: Int32) -> UInt8 {
    guard let editLine, let state = callbacks(editLine), let info = el_line(editLine)?.pointee else { return UInt8(CC_ERROR) }
    let length = info.cursor - info.buffer
    let before = String(decoding: UnsafeRawBufferPointer(start: info.buffer, count: length), as: UTF8.self)
    let edit = state.complete(before)
    let candidates = edit.candidates
    guard !candidates.isEmpty else { return UInt8(CC_REFRESH_BEEP) }
    func replaceWord(with typed: String) {
        // libedit counts the characters it deletes in wide characters: Unicode scalars.
        el_deletestr(editLine, Int32(edit.word.raw.unicodeScalars.count))
        _ = el_insertstr(editLine, typed)
    }
    if candidates.count == 1, let only = candidates.first {
        // A folder, `PATH=` and `@` go on without a space: more is typed after them.
        let whole = !(only.hasSuffix("/") || only.hasSuffix("="))
        replaceWord(with: edit.typing(only, whole: whole) + (whole ? " " : ""))
        return UInt8(CC_REFRESH)
    }
    let common = Completion.commonPrefix(candidates)
    if common.count > edit.word.text.count {
        replaceWord(with: edit.typing(common, whole: false))
        return UInt8(CC_REFRESH)
    }
    fputs("\n" + TerminalText.safe(candidates.joined(separator: "  "), keepingStyles: false) + "\n", state.output)
    return UInt8(CC_REDISPLAY)
}
