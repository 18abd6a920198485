import Foundation
@testable import PluginSystem
import Testing
import TestSupport

/// Input crafted to crash, hang or silently mislead the runtime: every case ends with a clear error
/// or a clear skip, quickly.
@Suite struct HostileManifestTests {
    static let header = "[plugin]\nname = \"p\"\nkind = \"k\"\nruntime = \"in_process\"\ncore_version = \">=0.1.0\"\n"

    func error(_ toml: String) -> String {
        do {
            _ = try ManifestLoader.parse(toml: toml, source: "m.toml")
            return "accepted"
        } catch { return error.message }
    }

    @Test func aTableHeaderOrDottedKeyOfTwentyThousandPartsIsAnError() {
        let parts = Array(repeating: "a", count: 20_000).joined(separator: ".")
        #expect(error(Self.header + "[plugin.metadata.\(parts)]\nx = 1\n") ==
            "Malformed TOML at m.toml:6:525: a key of more than 256 dotted parts (values nest at most 256 levels deep)")
        #expect(error(Self.header + "[plugin.metadata]\n\(parts) = 1\n") ==
            "Malformed TOML at m.toml:7:512: a key of more than 256 dotted parts (values nest at most 256 levels deep)")
    }

    @Test func nestingThatAddsUpPastTheLimitIsAnError() {
        // Each key alone is within the limit; together they nest 2 + 200 + 100 levels deep.
        let header = Array(repeating: "h", count: 200).joined(separator: ".")
        let key = Array(repeating: "k", count: 100).joined(separator: ".")
        let message = error(Self.header + "[plugin.metadata.\(header)]\n\(key) = 1\n")
        #expect(message.hasPrefix("Invalid manifest at m.toml: plugin.metadata.h.h.h.h.….k.k.k: nested deeper than 256 levels"), "\(message)")
    }

    @Test func nestingWithinTheLimitIsKept() throws {
        let parts = Array(repeating: "a", count: 200).joined(separator: ".")
        let manifest = try ManifestLoader.parse(toml: Self.header + "[plugin.metadata]\n\(parts) = 1\n", source: "m.toml")
        var value: JSONValue? = .object(manifest.metadata)
        for _ in 0..<200 { value = value?["a"] }
        #expect(value == 1)
    }

    @Test func aNULInACommentIsAnErrorNotATruncation() {
        #expect(error(Self.header + "# a comment \u{0} with a NUL\npriority = \"not an int\"\n") ==
            "Malformed TOML at m.toml:6:13: a NUL character; TOML text cannot contain one")
    }

    @Test func timeLimitsAreBoundedToWhatAClockCanHold() {
        #expect(error(Self.header + "startup_timeout_sec = 9223372036854775807\n") ==
            "Invalid manifest at m.toml: plugin.startup_timeout_sec: must be at most 604800, got 9223372036854775807")
        #expect(TimeLimit.problem(.infinity) == "must be a finite number of seconds, got inf")
        #expect(TimeLimit.problem(1e300) == "must be at most 604800 seconds (a week), got 1e+300")
        #expect(TimeLimit.problem(0.5) == nil)
        #expect(TimeLimit.duration(.infinity) == .seconds(604_800))
    }
}

/// Symbolic link layouts: each real folder is walked once, every link skipped is reported with why.
@Suite struct SymlinkLayoutTests {
    func link(_ dir: TempDir, _ at: String, _ to: String) throws {
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/" + at, withDestinationPath: to)
    }

    @Test func aLinkBackToTheRootBesideALinkUpIsSkippedNotWalkedForever() throws {
        let dir = TempDir()
        dir.plugin("plugins/p", name: "p")
        try link(dir, "plugins/self", ".")
        try link(dir, "plugins/up", "../plugins")
        let result = try Discovery.discover(dir.path + "/plugins")
        #expect(result.plugins.map(\.folder) == [dir.path + "/plugins/p"])
        #expect(result.skipped.map(\.error.message) == [
            "Not walked: \(dir.path)/plugins/self leads to \(dir.path)/plugins, which is walked already (a symlink loop)",
            "Not walked: \(dir.path)/plugins/up leads to \(dir.path)/plugins, which is walked already (a symlink loop)",
        ])
    }

    @Test func twoFoldersLinkingToEachOtherAreEachWalkedOnce() throws {
        let dir = TempDir()
        dir.plugin("a/pa", name: "pa")
        dir.plugin("b/pb", name: "pb")
        try link(dir, "a/tob", "../b")
        try link(dir, "b/toa", "../a")
        let result = try Discovery.discover(dir.path)
        #expect(result.plugins.map(\.manifest.name).sorted() == ["pa", "pb"])
        #expect(result.skipped.map(\.error.message) == [
            "Not walked: \(dir.path)/a/tob leads to \(dir.path)/b, which is walked already",
            "Not walked: \(dir.path)/b/toa leads to \(dir.path)/a, which is walked already",
        ])
    }

    @Test func aSecondWayToAPluginIsSkippedNotADuplicateName() throws {
        let dir = TempDir()
        dir.plugin("real/p", name: "p")
        try link(dir, "again", "real/p")
        let result = try Discovery.discover(dir.path)
        #expect(result.plugins.map(\.folder) == [dir.path + "/again"])
        #expect(result.skipped.map(\.error.message) == ["Not walked: \(dir.path)/real/p leads to \(dir.path)/again, which is walked already"])
    }

    @Test func aManifestThatIsALoopingOrDanglingLinkIsReported() throws {
        let dir = TempDir()
        dir.mkdir("looping")
        try link(dir, "looping/dagstack.toml", "dagstack.toml")
        dir.mkdir("dangling")
        try link(dir, "dangling/dagstack.toml", "nowhere.toml")
        let result = try Discovery.discover(dir.path)
        #expect(result.plugins.isEmpty)
        #expect(result.skipped.map(\.error.message) == [
            "\(dir.path)/dangling/dagstack.toml is a symbolic link to nowhere.toml that cannot be followed (No such file or directory)",
            "\(dir.path)/looping/dagstack.toml is a symbolic link to dagstack.toml that cannot be followed (Too many levels of symbolic links)",
        ])
    }

    @Test func aLinkThatCannotBeFollowedIsReported() throws {
        let dir = TempDir()
        dir.plugin("p", name: "p")
        try link(dir, "loop1", "loop2")
        try link(dir, "loop2", "loop1")
        let result = try Discovery.discover(dir.path)
        #expect(result.plugins.map(\.manifest.name) == ["p"])
        #expect(result.skipped.map(\.error.message) == [
            "Not walked: \(dir.path)/loop1 is a symbolic link to loop2 that cannot be followed (Too many levels of symbolic links)",
            "Not walked: \(dir.path)/loop2 is a symbolic link to loop1 that cannot be followed (Too many levels of symbolic links)",
        ])
    }

    @Test func theRootOfTheFileSystemEndsWithAReport() throws {
        // /proc and /sys are not walked; the walk is bounded; it finishes.
        let started = ContinuousClock.now
        let result = try? Discovery.discover("/", ignore: ["work", "tmp", "opt", "usr", "root", "var", "home"])
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(result?.skipped.contains { $0.error.message == "Not walked: /proc is a proc file system, which holds no plugins" } == true,
                "\(result?.skipped.map(\.error.message).prefix(5) ?? [])")
    }
}

/// The smaller traps: what is written where it would be ignored.
@Suite struct IgnoredManifestKeyTests {
    @Test func aKeyOutsideThePluginTableIsAnError() {
        let text = "priority = 5\n[plugin]\nname = \"p\"\nkind = \"k\"\nruntime = \"in_process\"\ncore_version = \">=0.1.0\"\n[tool]\nx = 1\n"
        #expect(throws: DagstackError(
            .manifestInvalid,
            "Invalid manifest at m.toml: 'priority', 'tool' outside [plugin] would be ignored; put it under [plugin] (a key written above the [plugin] header is outside it)",
            plugin: "p")) {
            try ManifestLoader.parse(toml: text, source: "m.toml")
        }
    }
}
