import Foundation
@testable import Console
import Testing
import TestSupport

/// A plugin folder's fingerprint (what a replay compares to tell a changed plugin) reads its files,
/// also when the folder is a symbolic link to the plugin, as examples/mixed-chain links the seed plugins.
@Suite struct FingerprintTests {
    @Test func aSymlinkedPluginFolderIsFingerprintedByWhatItPointsTo() throws {
        let dir = TempDir()
        dir.write("real/dagstack.toml", "[plugin]\nname = \"p\"\n")
        dir.write("real/plugin.py", "class P:\n    pass\n")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/linked", withDestinationPath: "real")
        let empty = Fingerprint.of(folder: dir.path + "/nothing-here")
        let linked = Fingerprint.of(folder: dir.path + "/linked")
        #expect(linked == Fingerprint.of(folder: dir.path + "/real"))
        #expect(linked != empty)
        dir.write("real/plugin.py", "class P:\n    changed = True\n")
        #expect(Fingerprint.of(folder: dir.path + "/linked") != linked)
    }
}
