import Foundation
import PluginHosts

/// How one replay runs beyond the recording itself: what it also leaves out, what it does with the
/// plugins' HTTP requests, and whether it rewrites the recording with what happens now.
public struct ReplaySettings: Sendable {
    /// `--ignore POINTER`s, added to the recording's own.
    public var ignore: [String] = []
    /// `--http MODE`, instead of the recording's.
    public var http: HTTPMode?
    /// `--update`: rewrite the entries that diverged.
    public var update = false
    /// `--yes`: update even in CI.
    public var confirmed = false
    /// How the replay was asked for, so the update command it prints can be typed the same way.
    public var invocation: Invocation = .console

    public enum Invocation: Sendable, Equatable {
        /// `replay FILE` at the console's prompt.
        case console
        /// `dagstack-console --replay FILE [DIR]`.
        case commandLine(directory: String?)
    }

    public init() {}

    /// Why an update may not run here, if it may not: in CI (`CI` set) or without a terminal to
    /// answer for it, a recording is rewritten only with `--yes`.
    public static func updateRefusal(environment: [String: String] = ProcessInfo.processInfo.environment, terminal: Bool = isatty(STDIN_FILENO) == 1)
        -> String?
    {
        if let ci = environment["CI"], !ci.isEmpty, ci != "0", ci.lowercased() != "false" {
            return "CI is set (CI=\(ci))"
        }
        return terminal ? nil : "standard input is not a terminal"
    }

    /// The command that replays `file` again and accepts what happens now, with the same options.
    func updateCommand(file: String) -> String {
        var words: [String]
        switch invocation {
        case .console: words = ["replay", file]
        case .commandLine(let directory): words = ["dagstack-console", "--replay", file] + (directory.map { [$0] } ?? [])
        }
        for pointer in ignore { words += ["--ignore", pointer] }
        if let http { words += ["--http", http.rawValue] }
        words.append("--update")
        return words.map(CommandWords.quoted).joined(separator: " ")
    }
}
