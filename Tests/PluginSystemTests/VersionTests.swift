import Testing
@testable import PluginSystem

/// The accept/reject cases of spec-notes §2.4, each checked against `packaging` 26.3.
@Suite struct VersionTests {
    @Test(arguments: [
        (">=0.1", "0.5.0rc1", true), ("<0.5", "0.5.0rc1", false), (">=0.1.0,<1.0.0", "0.4.1", true),
        ("<1.0.0", "1.0.0", false), ("==0.4", "0.4.1", false), ("==0.4.*", "0.4.1", true), ("~=0.4", "0.4.1", true),
        ("~=0.4", "1.0", false), ("", "0.4.1", true), (">=0.1,<0.5", "0.5.0rc1", false), ("==0.5.0rc1", "0.5.0rc1", true),
        (">=0.5.0rc1", "0.5.0", true), (">0.4", "0.4.1", true), (">0.4.1", "0.4.1.post1", false),
        ("<0.4.1", "0.4.1.dev1", false), (">=1.0", "1.0.0.dev1", false), ("<=0.4.1", "0.4.1+local", true),
        ("==0.4.1", "0.4.1+local", true), ("!=0.4.*", "0.4.1", false), ("===0.4.1", "0.4.1", true), ("> 0.4", "0.4.1", true),
        (">=0.1.0, <1.0.0", "0.4.1", true), ("==1.0.*", "1.0.0rc1", true), ("~=1.4.2", "1.4.9", true), ("~=1.4.2", "1.5.0", false),
    ])
    func specifierMatchesLikePackaging(spec: String, version: String, expected: Bool) throws {
        let set = try VersionSpecifierSet(spec)
        #expect(set.contains(PEP440Version(version)!) == expected)
    }

    @Test(arguments: ["^0.2", ">=0.3.0 <1.0.0", "0.1", ">=", "=>0.1", "~=1", ">=0.1.*", "==1.0.*.1"])
    func rejectsNonPEP440Specifiers(spec: String) {
        #expect(throws: VersionSpecifierSet.InvalidSpecifier.self) { try VersionSpecifierSet(spec) }
    }

    @Test func ordersVersionsAsPEP440() {
        let ordered = ["1.0.dev1", "1.0a1", "1.0a2.dev1", "1.0b1", "1.0rc1", "1.0", "1.0+local", "1.0.post1.dev1", "1.0.post1", "1.1", "1!0.1"]
        let parsed = ordered.map { PEP440Version($0)! }
        #expect(parsed == parsed.sorted())
        #expect(PEP440Version("1.0.0") == PEP440Version("1.0"))
        #expect(PEP440Version("v1.0-alpha.1")?.description == "1.0a1")
        #expect(PEP440Version("not-a-version") == nil)
    }
}
