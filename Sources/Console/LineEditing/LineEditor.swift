/// What reading a line gave.
public enum LineInput: Sendable, Equatable {
    case line(String)
    /// End of input (Ctrl-D at an empty prompt, or the end of a script).
    case endOfInput
    /// Ctrl-C at the prompt: the line was abandoned.
    case interrupted
}

/// Where the console's input comes from: libedit on a terminal, plain lines otherwise.
public protocol LineEditor: AnyObject {
    func readLine(prompt: String) -> LineInput
    /// Remembers an entered line (in memory and in the history file, if any).
    func remember(_ line: String)
    /// Puts the terminal back as it was (safe to call from a signal-handling path).
    func restoreTerminal()
}

/// Reads lines from standard input without a line editor: for scripts and pipes (libedit would read
/// one byte per call and put piped lines in the history file).
public final class PlainLineReader: LineEditor {
    public init() {}

    public func readLine(prompt: String) -> LineInput {
        guard let line = Swift.readLine(strippingNewline: true) else { return .endOfInput }
        return .line(line)
    }

    public func remember(_ line: String) {}
    public func restoreTerminal() {}
}
