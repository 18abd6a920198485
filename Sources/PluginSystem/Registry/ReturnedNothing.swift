/// A hook that returned nothing — Python's `None`, JavaScript's `undefined` (a function with no
/// `return`) — which the wire carries as null. A chain passes on what a hook returns, so the next
/// stage gets null: worth saying in the language's own words, and, when the hook changed its input
/// in place instead, worth saying that this change goes nowhere (docs/runtime.md).
public struct ReturnedNothing: Sendable, Equatable {
    /// The language's word for it: `None` or `undefined`.
    public var word: String
    /// The hook changed (one of) its arguments in place before it returned.
    public var inputChanged: Bool

    public init(word: String, inputChanged: Bool) {
        self.word = word
        self.inputChanged = inputChanged
    }

    /// From a host's answer to a call (or a batched stage): its `returned_nothing` member, when the
    /// plugin returned nothing.
    public init?(wire reply: JSONValue) {
        guard let o = reply["returned_nothing"], let word = o["as"]?.stringValue else { return nil }
        self.init(word: word, inputChanged: o["input_changed"]?.boolValue ?? false)
    }

    /// `returned nothing (undefined)`, `returned None`: what the plugin did, in its language's words.
    public var returned: String { word == "undefined" ? "returned nothing (undefined)" : "returned \(word)" }

    /// What it means for a chain, and what to do when the input was changed in place.
    public var chainNote: String {
        let passed = word == "None" ? "None (null)" : "null"
        let head = "\(returned): the next stage gets \(passed)"
        guard inputChanged else { return head }
        return head + "; it changed its input in place, but a chain passes on what a hook returns — `return` the value"
    }
}
