@testable import Console
import PluginSystem
import Testing

/// Large values cut down to their shape for a person to read.
@Suite struct ValueTextTests {
    @Test func aShortValueIsItsJSON() {
        #expect(ValueText.short(["a": 1, "b": [true, .null]]) == #"{"a":1,"b":[true,null]}"#)
    }

    @Test func membersThatFitAreKeptAndTheRestCounted() {
        let value: JSONValue = .array((0..<60).map { .string("item \($0)") })
        let text = ValueText.short(value)
        #expect(text.hasPrefix(#"["item 0","item 1","#), "\(text)")
        #expect(text.hasSuffix(",…44 more]"), "\(text)")
    }

    @Test func whenNotEvenTheFirstMemberFitsOnlyTheCountIsShown() {
        let big: JSONValue = .array([.object(["text": .string(String(repeating: "x", count: 300))]), 1])
        #expect(ValueText.fitted(["a very long piece"], limit: 5, open: "[", close: "]") == "[…1 more]")
        #expect(!ValueText.short(big, limit: 20).contains("[,"), "\(ValueText.short(big, limit: 20))")
    }

    @Test func durationsReadInTheUnitThatFits() {
        #expect([999, 1000, 999_994, 1_000_000, 2_342_890, 30_347_420].map(TraceText.duration)
                == ["999 µs", "1.00 ms", "999.99 ms", "1.00 s", "2.34 s", "30.35 s"])
    }

    @Test func aWalksHintOffersOnlyTheVerbsThatWorkThere() {
        #expect(WalkText.verbs(halted: false, into: true, back: false) == "next, into, continue, skip, set JSON, abort")
        #expect(WalkText.verbs(halted: false, into: false, back: true) == "next, continue, skip, set JSON, back, abort")
        #expect(WalkText.verbs(halted: true, into: true, back: false) == "retry, skip, set JSON, abort")
        #expect(WalkText.verbs(halted: true, into: false, back: true) == "retry, skip, set JSON, back, abort")
    }
}
