import Foundation
import PluginSystem

/// Where a plugin's code was when the console stopped a call that hung (its time limit passed, or
/// Ctrl-C): the host writes the plugin's innermost frames to the file it named in its `ready`
/// notification (`where_file`) when asked — the Python host on SIGUSR2 (its `stuck` module), the
/// Node host when the file it named `where_ask` appears (a worker thread of its `stuck.mjs`, since
/// spinning JavaScript lets no signal handler run). Asked just before the interpreter is stopped;
/// code that cannot answer (a C extension's loop, JavaScript awaiting what never comes) leaves the
/// error saying only who hung.
struct StuckFrames: Equatable {
    struct Frame: Equatable {
        var file: String
        var line: Int
        var function: String
        var source: String
    }

    /// Outermost first; the last is where the code was.
    var frames: [Frame]
    /// False when none of the frames is the plugin's own (it hung inside a library): the innermost
    /// frames are shown all the same.
    var inPluginCode: Bool

    /// How long the host has to answer: its handler runs at the next bytecode, within milliseconds
    /// even on a loaded machine; code that cannot answer costs this much before it is stopped.
    static let patience: Duration = .seconds(1)

    /// Asks the interpreter `pid` where its code is — by creating `askFile`, else with SIGUSR2 —
    /// and waits for the answer in `file`.
    static func ask(pid: pid_t, file: String, askFile: String?, within patience: Duration = Self.patience) -> StuckFrames? {
        unlink(file)
        if let askFile {
            guard FileManager.default.createFile(atPath: askFile, contents: nil) else { return nil }
        } else {
            guard kill(pid, SIGUSR2) == 0 else { return nil }
        }
        defer {
            unlink(file)
            if let askFile { unlink(askFile) }
        }
        let until = ContinuousClock.now + patience
        while ContinuousClock.now < until {
            if let data = FileManager.default.contents(atPath: file) { return StuckFrames(json: try? JSONValue.parse(data: data)) }
            usleep(2_000)
        }
        return nil
    }

    init(frames: [Frame], inPluginCode: Bool) {
        self.frames = frames
        self.inPluginCode = inPluginCode
    }

    /// From the host's answer: `{"frames": [{"file", "line", "function", "source"}…], "plugin_frames"?}`.
    init?(json: JSONValue?) {
        guard let json, let frames = json["frames"]?.arrayValue, !frames.isEmpty else { return nil }
        self.frames = frames.map {
            Frame(file: $0["file"]?.stringValue ?? "?", line: $0["line"]?.intValue ?? 0,
                  function: $0["function"]?.stringValue ?? "?", source: $0["source"]?.stringValue ?? "")
        }
        inPluginCode = json["plugin_frames"]?.boolValue ?? true
    }

    /// `its code was at /path/plugin.py:3 in spin`: for the error's first line.
    var headline: String {
        guard let last = frames.last else { return "" }
        let place = "\(last.file):\(last.line) in \(last.function)"
        return inPluginCode ? "its code was at \(place)" : "its code was at \(place) (no frame of the plugin's own code)"
    }

    /// The frames as Python prints a traceback, each with its source line.
    var traceback: String {
        var lines = ["Stopped at (most recent call last):"]
        for frame in frames {
            lines.append("  File \"\(frame.file)\", line \(frame.line), in \(frame.function)")
            if !frame.source.isEmpty { lines.append("    \(frame.source)") }
        }
        return lines.joined(separator: "\n")
    }
}

extension RPCFailure {
    /// The call hung or was interrupted: the plugin's code was somewhere worth naming.
    var leftCodeRunning: Bool {
        switch self {
        case .timedOut, .cancelled: return true
        default: return false
        }
    }
}
