import Foundation
import SystemPackage

/// A content fingerprint of a plugin's code (`PluginCode`: manifest, sources, the program it runs):
/// 64-bit FNV-1a over every code file's relative path and bytes, in path order. What the plugin
/// writes into its folder (a cache, a log, a database) is left out, so it does not make a replay say
/// the plugin changed. It tells whether a plugin changed between a recording and a replay; it is not
/// a security hash.
enum Fingerprint {
    /// Caches and installed dependencies (a plugin's own `.venv`, which discovery skips too).
    static let skipped: Set<String> = ["__pycache__", ".git", ".mypy_cache", ".pytest_cache", "node_modules", ".venv", "venv"]

    static func of(folder: String, code: PluginCode) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01B3
            }
        }
        let real = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        for relative in code.files(in: real) {
            mix(relative.utf8)
            mix([0])
            if let data = FileManager.default.contents(atPath: real + "/" + relative) { mix(data) }
            mix([0])
        }
        return String(hash, radix: 16).leftPadded(to: 16)
    }

    static func files(in folder: String) -> [String] {
        // A plugin folder that is a symbolic link is walked where it points: the enumerator does not
        // follow a link it is given, and would see no file at all.
        let folder = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var result: [String] = []
        while let relative = walker.nextObject() as? String {
            let name = FilePath(relative).lastComponent?.string ?? relative
            if skipped.contains(name) { walker.skipDescendants(); continue }
            if name.hasSuffix(".pyc") { continue }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue {
                result.append(relative)
            }
        }
        return result.sorted()
    }
}

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
