import Foundation
@testable import Console
import PluginSystem
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
        let empty = Fingerprint.of(folder: dir.path + "/nothing-here", code: PluginCode())
        let linked = Fingerprint.of(folder: dir.path + "/linked", code: PluginCode())
        #expect(linked == Fingerprint.of(folder: dir.path + "/real", code: PluginCode()))
        #expect(linked != empty)
        dir.write("real/plugin.py", "class P:\n    changed = True\n")
        #expect(Fingerprint.of(folder: dir.path + "/linked", code: PluginCode()) != linked)
    }

    /// A plugin's code is its manifest, its sources, its build files and what its `command` names;
    /// what it writes beside them is not.
    @Test func theCodeOfAPluginIsWhatALoadReadsNotWhatItWrites() throws {
        let dir = TempDir()
        dir.write("p/dagstack.toml", "[plugin]\nname = \"p\"\n")
        dir.write("p/serve", "#!/bin/sh\n", executable: true)
        var manifest = PluginManifest(name: "p", kind: "k")
        manifest.command = ["sh", "./serve", "--port", "1"]
        let code = PluginCode(folder: dir.path + "/p", manifest: manifest)
        #expect(code.files(in: dir.path + "/p") == ["dagstack.toml", "serve"])
        let before = Fingerprint.of(folder: dir.path + "/p", code: code)
        dir.write("p/cache.db", "rows")
        dir.write("p/run.log", "a line")
        dir.write("p/state/seen.json", "{}")
        #expect(Fingerprint.of(folder: dir.path + "/p", code: code) == before)
        for file in ["plugin.py", "lib/helper.ts", "package.json", "tsconfig.json", "requirements.txt", "main.mjs"] {
            #expect(code.isCode(file), "\(file)")
        }
        dir.write("p/serve", "#!/bin/sh\nexit 1\n", executable: true)
        #expect(Fingerprint.of(folder: dir.path + "/p", code: code) != before)
    }
}
