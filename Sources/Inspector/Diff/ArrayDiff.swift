import PluginSystem

/// How two arrays differ, element by element rather than position by position: an element inserted
/// at the front is one insertion, not every later position replaced. The ends both arrays share are
/// set aside first (linear); the middle parts are compared with the standard library's
/// `CollectionDifference`. The rule (docs/console.md, "How arrays are compared"):
/// - where the edit removes elements and inserts others at the same place, a removed and an inserted
///   element that are clearly the same element — both objects with a member (key and value) in
///   common, or both arrays with an element in common — pair up, in order, and the change is shown
///   inside that element; between those pairs, the rest pair up by position and each is replaced
///   whole (a scalar that changed, an object that became another); what is left is removed or inserted;
/// - a removal names the element's place in the array before, an insertion or a change its place
///   after; the operations apply in order as JSON Patch: removals from the last, then insertions and
///   changes from the first. A moved element is a removal and an insertion.
/// Middle parts longer than `elementLimit` together are compared position by position: the edit
/// search grows with their length times the number of edits.
enum ArrayDiff {
    static let elementLimit = 4000

    static func diff(_ x: [JSONValue], _ y: [JSONValue], path: String, into ops: inout [PatchOperation]) {
        var prefix = 0
        while prefix < x.count && prefix < y.count && x[prefix] == y[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < x.count - prefix && suffix < y.count - prefix && x[x.count - 1 - suffix] == y[y.count - 1 - suffix] {
            suffix += 1
        }
        let old = x[prefix..<(x.count - suffix)], new = y[prefix..<(y.count - suffix)]
        guard !old.isEmpty || !new.isEmpty else { return }
        var edit = Edit(x: x, y: y, path: path)
        if old.count + new.count > elementLimit {
            edit.byPosition(Array(old.indices)[...], Array(new.indices)[...])
        } else {
            var removed = Set<Int>(), inserted = Set<Int>()
            for change in new.difference(from: old) {
                switch change {
                case .remove(let offset, _, _): removed.insert(old.startIndex + offset)
                case .insert(let offset, _, _): inserted.insert(new.startIndex + offset)
                }
            }
            // Walk both middles in step: the elements the edit keeps match one for one; between
            // them, what it removes and inserts at the same place is one hunk.
            var i = old.startIndex, j = new.startIndex
            while i < old.endIndex || j < new.endIndex {
                var gone: [Int] = [], came: [Int] = []
                while i < old.endIndex && removed.contains(i) { gone.append(i); i += 1 }
                while j < new.endIndex && inserted.contains(j) { came.append(j); j += 1 }
                if gone.isEmpty && came.isEmpty {
                    i += 1
                    j += 1
                } else {
                    edit.hunk(gone, came)
                }
            }
        }
        ops += edit.removals.reversed()
        ops += edit.forward
    }

    /// The operations of one array's edit, in the two lists they apply in.
    struct Edit {
        let x: [JSONValue], y: [JSONValue], path: String
        /// Removals, by their place before (applied from the last).
        var removals: [PatchOperation] = []
        /// Insertions and changes, by their place after (applied from the first).
        var forward: [PatchOperation] = []

        init(x: [JSONValue], y: [JSONValue], path: String) {
            self.x = x
            self.y = y
            self.path = path
        }

        /// Removed elements `gone` (places before) and inserted ones `came` (places after) at one
        /// place: the same elements pair up in order, the rest between them by position.
        mutating func hunk(_ gone: [Int], _ came: [Int]) {
            var g = 0, c = 0
            for (index, removed) in gone.enumerated() {
                guard let match = came[c...].firstIndex(where: { Self.sameElement(x[removed], y[$0]) }) else { continue }
                byPosition(gone[g..<index], came[c..<match])
                JSONDiff.diff(x[removed], y[came[match]], path: "\(path)/\(came[match])", into: &forward)
                g = index + 1
                c = match + 1
            }
            byPosition(gone[g...], came[c...])
        }

        /// Position by position: each pair replaced whole (or compared inside when both are the same
        /// element), the longer side's rest removed or inserted.
        mutating func byPosition(_ gone: ArraySlice<Int>, _ came: ArraySlice<Int>) {
            let paired = min(gone.count, came.count)
            for (removed, inserted) in zip(gone.prefix(paired), came.prefix(paired)) {
                let (a, b) = (x[removed], y[inserted])
                if Self.sameElement(a, b) {
                    JSONDiff.diff(a, b, path: "\(path)/\(inserted)", into: &forward)
                } else {
                    forward.append(PatchOperation(op: .replace, path: "\(path)/\(inserted)", value: b, old: a))
                }
            }
            for removed in gone.dropFirst(paired) { removals.append(PatchOperation(op: .remove, path: "\(path)/\(removed)", old: x[removed])) }
            for inserted in came.dropFirst(paired) { forward.append(PatchOperation(op: .add, path: "\(path)/\(inserted)", value: y[inserted])) }
        }

        /// Two elements are clearly one element changed: both objects with a member in common, or
        /// both arrays with an element in common.
        static func sameElement(_ a: JSONValue, _ b: JSONValue) -> Bool {
            switch (a, b) {
            case (.object(let x), .object(let y)): x.contains { y[$0.key] == $0.value }
            case (.array(let x), .array(let y)): x.contains { y.contains($0) }
            default: false
            }
        }
    }
}
