/// Text made safe for a terminal. What plugins print, what a recording holds, plugin names, kinds and
/// error messages can carry control characters; written raw, an escape sequence would move the cursor,
/// clear the screen or retitle the window, and the screen could no longer be believed. Every line the
/// console prints goes through `safe`: control characters are shown as escapes (`\e`, `\r`, `\x01`,
/// `\u009b`), newlines and tabs are kept, and only the console's own colours become escape sequences.
enum TerminalText {
    /// What `TextStyle` writes where ESC goes: two private-use characters drawn at random when the
    /// console starts, so no plugin output or recording can forge a colour, let alone anything else.
    static let styleMarker: String = {
        var generator = SystemRandomNumberGenerator()
        let pick = { Character(Unicode.Scalar(UInt32.random(in: 0x10_0000...0x10_FFFD, using: &generator))!) }
        return String([pick(), pick()])
    }()

    static func safe(_ text: String, keepingStyles: Bool) -> String {
        var escaped = text
        if text.utf8.contains(where: { $0 < 0x20 && $0 != 0x0A && $0 != 0x09 || $0 == 0x7F || $0 == 0xC2 }) {
            var out = String.UnicodeScalarView()
            for scalar in text.unicodeScalars {
                if let escape = escape(scalar) { out.append(contentsOf: escape.unicodeScalars) } else { out.append(scalar) }
            }
            escaped = String(out)
        }
        guard escaped.contains(styleMarker) else { return escaped }
        return keepingStyles ? escaped.replacingOccurrences(of: styleMarker, with: "\u{1B}") : removingStyles(escaped)
    }

    /// The text without the console's colours (to measure its width, or where colours cannot go).
    static func removingStyles(_ text: String) -> String {
        guard text.contains(styleMarker) else { return text }
        return text.replacingOccurrences(of: styleMarker + "\\[[0-9;]*m", with: "", options: .regularExpression)
    }

    static func escape(_ scalar: Unicode.Scalar) -> String? {
        switch scalar.value {
        case 0x0A, 0x09: return nil
        case 0x1B: return "\\e"
        case 0x07: return "\\a"
        case 0x08: return "\\b"
        case 0x0D: return "\\r"
        case 0x0C: return "\\f"
        case 0x0B: return "\\v"
        case 0..<0x20, 0x7F: return "\\x" + hex(scalar.value, 2)
        case 0x80...0x9F: return "\\u" + hex(scalar.value, 4)
        default: return nil
        }
    }

    static func hex(_ value: UInt32, _ width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
