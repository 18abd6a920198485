import Foundation
import SystemPackage

/// Paths as users type them: `~` for the home folder, relative to the current directory, with `.`,
/// `..` and trailing slashes. `FilePath` does the component work (NSString's path methods misbehave
/// on Linux with one-character names and `./`).
extension FilePath {
    /// `path` with a leading `~` or `~/` replaced by the home folder (`$HOME`, else the account's).
    public init(expandingTilde path: String) {
        if path == "~" || path.hasPrefix("~/") {
            self = FilePath(FilePath.homeDirectory + path.dropFirst())
        } else {
            self = FilePath(path)
        }
    }

    /// The home folder: `$HOME` when set, as shells and every Unix tool take it, else the account's.
    public static var homeDirectory: String {
        if let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty { return home }
        return NSHomeDirectory()
    }

    /// This path made absolute against the current directory, with `.` and `..` worked out.
    public var absolute: FilePath {
        guard !isAbsolute else { return lexicallyNormalized() }
        return FilePath(FileManager.default.currentDirectoryPath).pushing(self).lexicallyNormalized()
    }

    /// The folder holding this path's last component: `p` → `.`, `./p/` → `.`, `a/b` → `a`,
    /// `..` → `../..`, `/` → `/`. Never empty, so it can be joined with a name.
    public var containingFolder: FilePath {
        let normal = lexicallyNormalized()
        if normal.isEmpty { return FilePath("..") }
        if normal.lastComponent?.kind == .parentDirectory { return normal.pushing(FilePath("..")) }
        if normal.root != nil && normal.components.isEmpty { return normal }
        let parent = normal.removingLastComponent()
        return parent.isEmpty ? FilePath(".") : parent
    }
}

extension FilePath {
    /// The path with every symbolic link followed (realpath(3)); the path made absolute when it
    /// cannot be resolved (it does not exist).
    public var resolvingSymlinks: FilePath {
        guard let resolved = realpath(string, nil) else { return absolute }
        defer { free(resolved) }
        return FilePath(String(cString: resolved))
    }
}
