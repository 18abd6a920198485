/// ANSI styling for text output, or none at all (not a terminal, `--no-color`, `NO_COLOR`).
public struct TextStyle: Sendable {
    public let color: Bool

    public init(color: Bool) { self.color = color }

    /// Styled text carries `TerminalText.styleMarker` where ESC goes: only the writer turns it into
    /// ESC, after escaping every control character the text itself holds.
    func wrap(_ text: String, _ code: String) -> String {
        let esc = TerminalText.styleMarker
        return color && !text.isEmpty ? "\(esc)[\(code)m\(text)\(esc)[0m" : text
    }

    public func bold(_ s: String) -> String { wrap(s, "1") }
    public func dim(_ s: String) -> String { wrap(s, "2") }
    public func red(_ s: String) -> String { wrap(s, "31") }
    public func green(_ s: String) -> String { wrap(s, "32") }
    public func yellow(_ s: String) -> String { wrap(s, "33") }
    public func cyan(_ s: String) -> String { wrap(s, "36") }
    /// Crossed out; without colour the word "(disabled)" says it instead.
    public func struck(_ s: String) -> String { color ? wrap(s, "9") : s }

    /// Text removed by a change: red (and struck) in colour, `[-text-]` without.
    public func removed(_ s: String) -> String { color ? wrap(s, "9;31") : "[-\(s)-]" }
    /// Text added by a change: green in colour, `{+text+}` without.
    public func added(_ s: String) -> String { color ? wrap(s, "32") : "{+\(s)+}" }

    /// The colour for a plugin state or stage status.
    public func state(_ name: String) -> String {
        switch name {
        case "active", "changed": green(name)
        case "failed", "error": red(name)
        case "disabled", "unavailable", "stopped", "skipped": yellow(name)
        default: dim(name)
        }
    }
}

/// Pads to a display width (ANSI sequences do not count).
func pad(_ s: String, _ width: Int) -> String {
    let visible = TerminalText.removingStyles(s).count
    return visible >= width ? s : s + String(repeating: " ", count: width - visible)
}

import Foundation
