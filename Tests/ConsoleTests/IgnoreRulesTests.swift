import Foundation
import PluginSystem
import Testing
import TestSupport

@testable import Console
@testable import PluginHosts

/// What a comparison of two results leaves out: the user's ignore rules, and what differs from run to
/// run by nature (temporary paths, how long an HTTP exchange took).
@Suite struct IgnoreRulesTests {
    func value(_ text: String) throws -> JSONValue { try JSONValue.parse(text) }

    /// The message of the error `body` throws; nil when it does not throw.
    func failure(_ body: () throws -> Void) -> String? {
        do { try body() } catch { return (error as? ConsoleError)?.message ?? "\(error)" }
        return nil
    }

    @Test func aStarMatchesAnyMemberOrIndexAndAnIgnoredElementKeepsItsPlace() throws {
        let rules = try IgnoreRules(["/items/*/id", "/meta/*", "/list/1"])
        let pruned = rules.prune(try value(#"{"items":[{"id":1,"x":1},{"id":2,"x":2}],"meta":{"a":1,"b":2},"list":[10,20,30],"keep":true}"#))
        #expect(pruned == (try value(#"{"items":[{"x":1},{"x":2}],"meta":{},"list":[10,"<ignored>",30],"keep":true}"#)))
    }

    @Test func escapesAreReadAsRFC6901SaysAndMistakesAreNamed() throws {
        let rules = try IgnoreRules(["/a~1b/c~0d"])
        #expect(rules.prune(try value(#"{"a/b":{"c~d":1,"e":2}}"#)) == (try value(#"{"a/b":{"e":2}}"#)))
        #expect(failure { _ = try IgnoreRules(["/x~"]) } == "--ignore '/x~': a ~ at the end is not an escape of a JSON Pointer (~0 is ~, ~1 is /)")
        #expect(failure { _ = try IgnoreRules(["x"]) }?.hasPrefix("--ignore 'x': a JSON Pointer starts with /") == true)
    }

    @Test func theRuleGivenTwiceIsKeptOnce() throws {
        #expect(try IgnoreRules(["/a", "/a", "/b"]).pointers == ["/a", "/b"])
    }

    @Test func countsTheIgnoredPlacesThatDiffer() throws {
        let rules = try IgnoreRules(["/items/*/id"])
        let a = try value(#"{"items":[{"id":1},{"id":2},{"id":3}]}"#), b = try value(#"{"items":[{"id":1},{"id":9},{"id":8}]}"#)
        #expect(rules.countDiffering(a, b) == 2)
        #expect(rules.countDiffering(a, a) == 0)
    }

    @Test func theConsolesBlobStoreFolderComparesAsOneAndOtherTemporaryPathsAsTheyAre() {
        let tmp = ResultComparison.withoutTemporaryPaths
        #expect(tmp("/tmp/dagstack-blobs-1F3A/x.bin") == "<tmp>/x.bin")
        #expect(tmp("wrote /var/tmp/dagstack-blobs-77 and /tmp/dagstack-blobs-2/b") == "wrote <tmp> and <tmp>/b")
        #expect(tmp(#"{"path":"/tmp/dagstack-blobs-zz/f"}"#) == #"{"path":"<tmp>/f"}"#)
        // A temporary path a plugin chose is part of what it returns: a change in it is a change.
        #expect(tmp("saved to /tmp/reports-v1/summary.txt") == "saved to /tmp/reports-v1/summary.txt")
        #expect(tmp("wrote /tmp/abc123 and /var/tmp/q") == "wrote /tmp/abc123 and /var/tmp/q")
        // Not a temporary path: a folder named tmp inside another.
        #expect(tmp("/home/me/tmp/file") == "/home/me/tmp/file")
        #expect(tmp("no paths here") == "no paths here")
    }

    @Test func thePluginDirectoryComparesAsOneWhereverItLives() throws {
        let comparison = ResultComparison(recordedDirectories: ["plugins", "/home/a/p/plugins"], currentDirectories: ["/tmp/x/plugins"])
        let compared = comparison.normalize(try value(#"""
            {"dir":"/home/a/p/plugins","file":"/home/a/p/plugins/n/plugin.py","now":"/tmp/x/plugins/n/plugin.py",
             "relative":"plugins/n/plugin.py","bare":"plugins","text":"in plugins/n/plugin.py, line 3","plain":"no paths here",
             "other":"/home/a/p/plugins-old/x","duration_us":12,"stages":[{"after":{"text":"a/b"},"pid":7}]}
            """#))
        #expect(compared == (try value(#"""
            {"dir":"<plugins>","file":"<plugins>/n/plugin.py","now":"<plugins>/n/plugin.py","relative":"<plugins>/n/plugin.py",
             "bare":"<plugins>","text":"in <plugins>/n/plugin.py, line 3","plain":"no paths here","other":"/home/a/p/plugins-old/x",
             "stages":[{"after":{"text":"a/b"}}]}
            """#)))
    }

    @Test func anHTTPLogLineIsComparedWithoutItsTime() {
        #expect(HTTPLog.withoutElapsed("← 200 OK (3 ms, 12 bytes) {\"a\":1}") == "← 200 OK (12 bytes) {\"a\":1}")
        #expect(HTTPLog.withoutElapsed("← 404 Not Found (<1 ms, 0 bytes)") == "← 404 Not Found (0 bytes)")
        #expect(HTTPLog.withoutElapsed("← connection refused (12 ms)") == "← connection refused")
        #expect(HTTPLog.withoutElapsed("→ GET http://127.0.0.1:1/x") == "→ GET http://127.0.0.1:1/x")
    }

    @Test func optionsAreReadAsAShellToolReadsThem() throws {
        let o = try CommandOptions(["f", "--ignore", "/a", "--step", "--ignore", "/b"], flags: ["--step"], options: ["--ignore"], usage: "u")
        #expect(o.positional == ["f"] && o.has("--step") && o.all("--ignore") == ["/a", "/b"])
        #expect(failure { _ = try CommandOptions(["--ignroe", "/a"], flags: [], options: ["--ignore"], usage: "u") }
                == "unknown option '--ignroe'; did you mean '--ignore'?\nusage: u")
        #expect(failure { _ = try CommandOptions(["f", "--ignore"], flags: [], options: ["--ignore"], usage: "u") } == "--ignore needs a value\nusage: u")
    }
}
