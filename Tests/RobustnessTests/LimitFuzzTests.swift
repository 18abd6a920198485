import Foundation
import PluginSystem
import Testing
import TestSupport
@testable import Console

/// Fuzzing of the limits (docs/robustness.md, "The limits"): nesting in manifests, directory layouts
/// full of symbolic links, numbers in options, manifests and JSON, session headers. Every case ends in
/// a value or a clear error, never a crash or an endless walk; what is accepted is within the limits.
/// Serialized: each case is synchronous work, and running them side by side would hold every thread
/// of Swift's cooperative pool (one per core) for seconds, starving the other suites' timed waits.
@Suite(.serialized) struct LimitFuzzTests {
    static let manifestHead = "[plugin]\nname = \"p\"\nkind = \"k\"\nruntime = \"in_process\"\ncore_version = \">=0.1.0\"\n"

    /// Tables, dotted keys, arrays and inline tables nested at random, up to well past the limit.
    @Test func tomlNestingIsAcceptedWithinTheLimitAndRefusedBeyondIt() {
        var g = Fuzz(seed: 11)
        var accepted = 0, refused = 0
        for iteration in 0..<Fuzz.iterations / 10 {
            let header = (0..<g.int(0...320)).map { _ in "h" }
            let key = (0..<g.int(1...320)).map { _ in "k" }
            let arrays = g.int(0...300), inline = g.int(0...40)
            var value = "1"
            for _ in 0..<arrays { value = "[\(value)]" }
            for _ in 0..<inline { value = "{ x = \(value) }" }
            let text = Self.manifestHead + "[\((["plugin", "metadata"] + header).joined(separator: "."))]\n\(key.joined(separator: ".")) = \(value)\n"
            do {
                let manifest = try ManifestLoader.parse(toml: text, source: "fuzz.toml")
                accepted += 1
                // metadata's own level, the header's and key's parts, then the value's nesting.
                #expect(JSONValue.object(manifest.metadata).nestingDepth <= JSONLimits.maxDepth, "iteration \(iteration)")
            } catch {
                refused += 1
                #expect(error.code == .manifestInvalid && error.message.contains("fuzz.toml"), "iteration \(iteration): \(error.message)")
                let levels = 2 + header.count + key.count + arrays + inline
                #expect(levels > JSONLimits.maxDepth - 2 || arrays > 200 || inline > 0,
                        "iteration \(iteration): \(levels) levels refused: \(error.message)")
            }
        }
        #expect(accepted > 0 && refused > 0)
    }

    /// Random trees of folders, plugin folders and symbolic links (to ancestors, siblings, themselves,
    /// nowhere, each other): the walk ends, finds every real plugin folder exactly once, and reports
    /// every link it skips.
    @Test func symlinkLayoutsAreWalkedOnceEach() throws {
        var g = Fuzz(seed: 12)
        for iteration in 0..<Fuzz.iterations / 20 {
            let dir = TempDir()
            var folders = [""]
            for i in 0..<g.int(1...7) {
                let parent = g.pick(folders)
                let folder = (parent.isEmpty ? "" : parent + "/") + "d\(i)"
                dir.mkdir(folder)
                folders.append(folder)
            }
            var plugins: Set<String> = []
            for (i, folder) in folders.dropFirst().enumerated() where g.chance(40) {
                dir.plugin(folder, name: "p\(i)")
                plugins.insert(dir.path + "/" + folder)
            }
            for i in 0..<g.int(0...6) {
                // Links stay inside the scratch folder: ".." only below its top.
                let at = g.pick(folders)
                let target = g.pick([".", "/nonexistent", "l\(g.int(0...5))"] + (at.isEmpty ? [] : [".."]) + folders.map { dir.path + "/" + $0 })
                try? FileManager.default.createSymbolicLink(atPath: dir.path + "/" + (at.isEmpty ? "" : at + "/") + "l\(i)", withDestinationPath: target)
            }
            let result: DiscoveryResult
            do { result = try Discovery.discover(dir.path) } catch {
                Issue.record("iteration \(iteration): \(error.message)")
                continue
            }
            // Each real plugin folder at most once, by whichever way was walked first; every one not
            // inside another plugin's folder is found (one inside is found only through a link).
            let found = result.plugins.map { URL(fileURLWithPath: $0.folder).resolvingSymlinksInPath().path }
            #expect(Set(found).count == found.count, "iteration \(iteration): \(found)")
            let all = Set(plugins.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path })
            let outer = Set(plugins.filter { plugin in !plugins.contains { plugin.hasPrefix($0 + "/") } }.map {
                URL(fileURLWithPath: $0).resolvingSymlinksInPath().path
            })
            #expect(outer.isSubset(of: Set(found)) && Set(found).isSubset(of: all),
                    "iteration \(iteration): found \(found.sorted()), expected \(outer.sorted())")
            #expect(result.skipped.allSatisfy { !$0.error.message.isEmpty })
        }
    }

    /// Any number as a time limit: valid ones convert, the rest are refused with a reason; the
    /// conversion never traps. Manifest integers likewise.
    @Test func numericOptionsAreValidatedAgainstTheRangeTheCodeCanUse() {
        var g = Fuzz(seed: 13)
        let special: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1e300, -1, 604_800, 604_800.000_1]
        for iteration in 0..<Fuzz.iterations {
            let seconds = g.chance(20) ? g.pick(special) : Double(bitPattern: g.next())
            let problem = TimeLimit.problem(seconds)
            #expect((problem == nil) == (seconds.isFinite && seconds > 0 && seconds <= 604_800), "iteration \(iteration): \(seconds)")
            let duration = TimeLimit.duration(seconds)
            #expect(duration >= .zero && duration <= .seconds(604_800))
            guard iteration % 7 == 0 else { continue }  // a manifest parse costs a thousand times more
            let integer = g.chance(50) ? Int(truncatingIfNeeded: g.next()) : g.int(-10...700_000)
            let text = Self.manifestHead + "startup_timeout_sec = \(integer)\n"
            let accepted = (try? ManifestLoader.parse(toml: text, source: "n.toml")) != nil
            #expect(accepted == (1...604_800).contains(integer), "iteration \(iteration): \(integer)")
        }
    }

    /// Number literals of every size: an integer is exact or refused, a double finite or refused —
    /// never an integer silently rounded into a double.
    @Test func numbersAreExactOrRefused() {
        var g = Fuzz(seed: 14)
        for iteration in 0..<Fuzz.iterations {
            var text = g.chance(30) ? "-" : ""
            text += String(g.int(1...9)) + String((0..<g.int(0...30)).map { _ in Character(String(g.int(0...9))) })
            let isInteger = g.chance(50)
            if !isInteger { text += g.pick([".5", "e\(g.int(-400...400))", ".25E+\(g.int(0...400))"]) }
            do {
                switch try JSONValue.parse(text) {
                case .int(let value): #expect(isInteger && String(value) == text, "iteration \(iteration): \(text) → \(value)")
                case .double(let value): #expect(!isInteger && value.isFinite, "iteration \(iteration): \(text) → \(value)")
                default: Issue.record("iteration \(iteration): \(text) is not a number")
                }
            } catch {
                #expect(error.kind == .numberOutOfRange, "iteration \(iteration): \(text): \(error.message)")
            }
        }
    }

    /// Session headers with every kind of version, format and directory: a session or an error
    /// naming the file.
    @Test func sessionHeadersGiveASessionOrAnErrorNamingTheFile() throws {
        var g = Fuzz(seed: 15)
        let dir = TempDir()
        let versions = [#"1"#, #""1""#, "1.5", "1e999", "-1", "0", "18446744073709551616", "null", "[1]", #"{"v":1}"#, "true", "2", "999999"]
        let formats = [#""dagstack-console-session""#, #""other""#, "1", "null", #""""#]
        for iteration in 0..<Fuzz.iterations / 5 {
            var fields: [String] = []
            if g.chance(90) { fields.append(#""format":"# + g.pick(formats)) }
            if g.chance(90) { fields.append(#""version":"# + g.pick(versions)) }
            if g.chance(80) { fields.append(#""plugin_dir":"# + g.pick([#""plugins""#, "1", #""""#, #""/no/such""#])) }
            if g.chance(20) { fields.append(#""extra":"# + String(repeating: "[", count: g.int(0...600)) + String(repeating: "]", count: 0)) }
            let header = g.chance(5) ? String(decoding: g.bytes(g.int(0...40), alphabet: Self.headerAlphabet), as: UTF8.self) : "{" + fields.shuffled(using: &g).joined(separator: ",") + "}"
            let path = dir.write("s\(iteration).jsonl", header + "\n" + (g.chance(50) ? #"{"command":"kinds"}"# + "\n" : ""))
            do {
                _ = try SessionFile.read(path)
            } catch {
                #expect(error.message.hasPrefix(path), "iteration \(iteration): \(error.message)")
            }
        }
    }

    static let headerAlphabet = Array(#"{}[]:,"0123456789.eE-+ formatversion"#.utf8) + [0x00, 0xFF, 0x0A]
}
