import Foundation

/// While a command runs at the terminal, what the user types is not echoed: the terminal would write
/// it wherever the cursor stands — onto the live progress line, into a plugin's output. The typed
/// text waits in the terminal's input queue, and libedit shows it at the next prompt, where it runs,
/// as a shell holds type-ahead. Only echo changes: line editing keys, Ctrl-C and Ctrl-\ work as before.
final class HeldEcho {
    private var saved: termios?

    /// Holds echo off until `release`; does nothing when standard input is not a terminal.
    init() {
        var settings = termios()
        guard isatty(STDIN_FILENO) == 1, tcgetattr(STDIN_FILENO, &settings) == 0 else { return }
        saved = settings
        settings.c_lflag &= ~tcflag_t(ECHO | ECHONL)
        // TCSANOW, never TCSAFLUSH: what was typed ahead is kept, for the prompt.
        tcsetattr(STDIN_FILENO, TCSANOW, &settings)
    }

    /// Echo as it was: the next prompt takes over from here.
    func release() {
        guard var settings = saved else { return }
        saved = nil
        var now = termios()
        // Only echo goes back: whatever else a debugger or the console set meanwhile stays.
        if tcgetattr(STDIN_FILENO, &now) == 0 {
            now.c_lflag = (now.c_lflag & ~tcflag_t(ECHO | ECHONL)) | (settings.c_lflag & tcflag_t(ECHO | ECHONL))
            settings = now
        }
        tcsetattr(STDIN_FILENO, TCSANOW, &settings)
    }

    deinit { release() }
}
