import Inspector
import PluginSystem
import Testing

/// Texts that are canonically equivalent but different Unicode scalars ("café" as NFC and as NFD)
/// are different values to every plugin and consumer: every comparison tells them apart.
@Suite struct ExactTextTests {
    static let nfc = "caf\u{E9}", nfd = "cafe\u{301}"

    @Test func valuesAndHashesTellNormalisationsApart() {
        #expect(Self.nfc == Self.nfd)  // Swift's own equality: the reason for all of this
        #expect(JSONValue.string(Self.nfc) != .string(Self.nfd))
        #expect(JSONValue.array([.string(Self.nfc)]) != .array([.string(Self.nfd)]))
        #expect(JSONValue.object([Self.nfc: 1]) != .object([Self.nfd: 1]))
        #expect(Set<JSONValue>([.string(Self.nfc), .string(Self.nfd)]).count == 2)
        #expect(JSONValue.string(Self.nfc) == .string("caf\u{E9}"))
        #expect(Set<JSONValue>([["k": .string(Self.nfc)], ["k": .string("caf\u{E9}")]]).count == 1)
    }

    @Test func theDiffShowsATextRenormalisedAndAKeyRenormalised() {
        let ops = JSONDiff.diff(["text": .string(Self.nfd)], ["text": .string(Self.nfc)])
        #expect(ops.map(\.json) == [["op": "replace", "path": "/text", "value": .string(Self.nfc), "old": .string(Self.nfd)]])
        let keyOps = JSONDiff.diff([Self.nfd: 1], [Self.nfc: 1])
        #expect(keyOps.map(\.json) == [
            ["op": "remove", "path": .string("/" + Self.nfd), "old": 1], ["op": "add", "path": .string("/" + Self.nfc), "value": 1],
        ])
        #expect(JSONDiff.apply(keyOps, to: [Self.nfd: 1]) == [Self.nfc: 1])
        #expect(JSONDiff.diff(["l": [.string(Self.nfd), "x"]], ["l": [.string(Self.nfc), "x"]]).map(\.path) == ["/l/0"])
        #expect(WordDiff.diff("a " + Self.nfd, "a " + Self.nfc) == [.same("a "), .removed(Self.nfd), .added(Self.nfc)])
    }

    @Test func theNoteSaysWhatALookAlikeChangeIs() {
        #expect(NormalisationNote.describe(Self.nfd, Self.nfc)
            == #"same text, different Unicode normalisation (NFD → NFC): "cafe\u0301" → "caf\u00e9""#)
        #expect(NormalisationNote.describe("x " + Self.nfc + " and " + Self.nfd, "x " + Self.nfc + " and " + Self.nfc)
            == #"same text, different Unicode normalisation (mixed → NFC): "…caf\u00e9 and cafe\u0301" → "…caf\u00e9 and caf\u00e9""#)
        #expect(NormalisationNote.describe(Self.nfc, Self.nfc) == nil)
        #expect(NormalisationNote.describe("cafe", Self.nfc) == nil)
    }

    @Test(arguments: [
        (#"/text == "caf\u00e9""#, true), (#"/text == "cafe\u0301""#, false), (#"/text != "cafe\u0301""#, true),
        (#"/text contains "e""#, false), (#"/nfd contains "e""#, true), (#"/text >= "cafe\u0301""#, true),
        (#""caf\u00e9" in /keys"#, true), (#""cafe\u0301" in /keys"#, false),
    ])
    func conditionsCompareTextsExactly(_ text: String, _ expected: Bool) throws {
        let value: JSONValue = ["text": .string(Self.nfc), "nfd": .string(Self.nfd), "keys": [Self.nfc: 1]]
        #expect(try Condition.parse(text).evaluate(value) == expected, "\(text)")
    }
}
