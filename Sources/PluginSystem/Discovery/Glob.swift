#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Shell-style matching of a folder's base name, as Python's `fnmatch` does it on POSIX: `*`, `?`,
/// `[abc]`, `[!abc]`; no special case for a leading dot, and backslash is an ordinary character.
enum Glob {
    static func matches(pattern: String, name: String) -> Bool {
        fnmatch(pattern, name, FNM_NOESCAPE) == 0
    }
}
