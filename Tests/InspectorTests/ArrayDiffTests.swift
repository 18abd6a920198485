import Inspector
import PluginSystem
import Testing

/// Arrays are compared element by element (docs/console.md, "How arrays are compared"): every
/// expected patch here is written out, and each applies in order to turn the value before into the
/// value after.
@Suite struct ArrayDiffTests {
    func diff(_ before: JSONValue, _ after: JSONValue) -> [JSONValue] {
        let ops = JSONDiff.diff(before, after)
        #expect(JSONDiff.apply(ops, to: before) == after, "\(ops.map(\.json))")
        return ops.map(\.json)
    }

    @Test func anElementInsertedAtTheFrontIsOneInsertion() {
        #expect(diff(["tags": ["typescript", "python"]], ["tags": ["go", "typescript", "python"]]) == [
            ["op": "add", "path": "/tags/0", "value": "go"],
        ])
        #expect(diff(["a", "b", "c"], ["a", "x", "b", "c"]) == [["op": "add", "path": "/1", "value": "x"]])
    }

    @Test func anElementRemovedIsOneRemovalAtItsPlaceBefore() {
        #expect(diff(["go", "typescript", "python"], ["typescript", "python"]) == [["op": "remove", "path": "/0", "old": "go"]])
        #expect(diff([1, 2, 3, 4, 5], [1, 3, 5]) == [
            ["op": "remove", "path": "/3", "old": 4], ["op": "remove", "path": "/1", "old": 2],
        ])
    }

    @Test func aMovedElementIsARemovalAndAnInsertion() {
        // Removals name the place before, insertions the place after.
        #expect(diff(["a", "b", "c"], ["c", "a", "b"]) == [
            ["op": "remove", "path": "/2", "old": "c"], ["op": "add", "path": "/0", "value": "c"],
        ])
    }

    @Test func anElementChangedInPlaceIsAChangeAtItsPlace() {
        // Scalars at the same place: the element replaced.
        #expect(diff(["a", "b", "c"], ["a", "B", "c"]) == [["op": "replace", "path": "/1", "value": "B", "old": "b"]])
        // An object that keeps a member is the same element: the change inside it.
        #expect(diff([["id": 1, "qty": 1], ["id": 2, "qty": 1]], [["id": 1, "qty": 1], ["id": 2, "qty": 5]]) == [
            ["op": "replace", "path": "/1/qty", "value": 5, "old": 1],
        ])
        // One with nothing in common is another element: replaced whole.
        #expect(diff([["id": 1], ["id": 2]], [["id": 1], ["name": "x"]]) == [
            ["op": "replace", "path": "/1", "value": ["name": "x"], "old": ["id": 2]],
        ])
    }

    @Test func changesRemovalsAndInsertionsTogether() {
        // "z" comes at the front, "b" becomes "B", "d" goes: the removal names its place before,
        // the insertion and the change their places after — removals apply first, from the last.
        #expect(diff(["a", "b", "c", "d"], ["z", "a", "B", "c"]) == [
            ["op": "remove", "path": "/3", "old": "d"],
            ["op": "add", "path": "/0", "value": "z"],
            ["op": "replace", "path": "/2", "value": "B", "old": "b"],
        ])
        // Two removed where one came: the first pair is a change, the rest a removal.
        #expect(diff(["a", "b", "c", "d"], ["a", "X", "d"]) == [
            ["op": "remove", "path": "/2", "old": "c"], ["op": "replace", "path": "/1", "value": "X", "old": "b"],
        ])
        // The same element is found past an inserted one, so the change shows inside it.
        #expect(diff([["id": 7, "n": 1]], [["id": 6], ["id": 7, "n": 2]]) == [
            ["op": "add", "path": "/0", "value": ["id": 6]], ["op": "replace", "path": "/1/n", "value": 2, "old": 1],
        ])
    }

    @Test func nestedArraysAreComparedTheSameWayInsideTheirElement() {
        let before: JSONValue = ["docs": [["id": 1, "tags": ["a", "b"]], ["id": 2, "tags": []]]]
        let after: JSONValue = ["docs": [["id": 0, "tags": []], ["id": 1, "tags": ["new", "a", "b"]], ["id": 2, "tags": ["c"]]]]
        #expect(diff(before, after) == [
            ["op": "add", "path": "/docs/0", "value": ["id": 0, "tags": []]],
            ["op": "add", "path": "/docs/1/tags/0", "value": "new"],
            ["op": "add", "path": "/docs/2/tags/0", "value": "c"],
        ])
        #expect(diff([[1, 2], [3]], [[1, 2, 9], [3]]) == [["op": "add", "path": "/0/2", "value": 9]])
    }

    @Test func veryLongDifferingMiddlesAreComparedPositionByPosition() {
        let before = JSONValue.array((0..<3000).map { .int($0) }), after = JSONValue.array((0..<3000).map { .int($0 + 1) })
        let ops = JSONDiff.diff(before, after)
        #expect(ops.count == 3000)
        #expect(ops.first?.json == ["op": "replace", "path": "/0", "value": 1, "old": 0])
        #expect(JSONDiff.apply(ops, to: before) == after)
    }
}
