import Foundation
import PluginSystem

/// Two texts that read the same but are different Unicode scalars — "café" precomposed (NFC) and
/// "cafe" + U+0301 (NFD) — look identical on a screen, so a diff of them shows nothing a person can
/// see. This says what changed instead, with the differing scalars escaped as JSON writes them.
public enum NormalisationNote {
    /// Nil unless `old` and `new` are canonically equivalent and not the same scalars.
    public static func describe(_ old: String, _ new: String) -> String? {
        guard old == new, !old.exactlyEquals(new) else { return nil }  // Swift's == is canonical equivalence
        return "same text, different Unicode normalisation (\(form(old)) → \(form(new))): \(excerpt(old, new)) → \(excerpt(new, old))"
    }

    /// NFC, NFD, or neither (a text mixing both).
    static func form(_ text: String) -> String {
        if text.exactlyEquals(text.precomposedStringWithCanonicalMapping) { return "NFC" }
        if text.exactlyEquals(text.decomposedStringWithCanonicalMapping) { return "NFD" }
        return "mixed"
    }

    /// `text` around where it first differs from `other`, quoted, non-ASCII scalars as `\uXXXX`.
    static func excerpt(_ text: String, _ other: String, context: Int = 12) -> String {
        let a = Array(text.unicodeScalars), b = Array(other.unicodeScalars)
        var prefix = 0
        while prefix < a.count && prefix < b.count && a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix && suffix < b.count - prefix && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let start = max(0, prefix - context), end = min(a.count, a.count - suffix + context)
        let body = String(String.UnicodeScalarView(a[start..<end])).scalarsEscaped
        return "\"" + (start > 0 ? "…" : "") + body + (end < a.count ? "…" : "") + "\""
    }
}
