import PluginSystem

/// Where a walk through a chain stops on its own: before a plugin's stage (when a condition over
/// the value it receives holds), after a stage that changed the value at a path, or at a stage
/// that raised.
public struct Breakpoint: Sendable, Equatable {
    public enum Trigger: Sendable, Equatable {
        /// Before the plugin's stage runs, when the condition (if any) holds for its input.
        case plugin(String, Condition?)
        /// After a stage that changed the value at this path (added, removed or replaced it).
        case change(JSONPointer)
        /// At a stage that raised, before the walk leaves it.
        case error
    }

    public let id: Int
    public let trigger: Trigger
    /// How many times it stopped a walk.
    public var hits: Int = 0

    public init(id: Int, trigger: Trigger, hits: Int = 0) {
        self.id = id
        self.trigger = trigger
        self.hits = hits
    }

    /// What it says in `break` words: `blacklist if /text contains "rm"`, `change /text`, `error`.
    public var spec: String {
        switch trigger {
        case .plugin(let name, nil): name
        case .plugin(let name, let condition?): "\(name) if \(condition)"
        case .change(let path): "change \(ConditionPrinter.path(path))"
        case .error: "error"
        }
    }

    /// The three forms `break` takes: `PLUGIN [if CONDITION]`, `change PATH`, `error`.
    public static func parse(id: Int, _ text: String) throws(ConditionError) -> Breakpoint {
        let trimmed = text.drop { $0.isWhitespace }
        let leading = text.count - trimmed.count
        let first = String(trimmed.prefix { !$0.isWhitespace })
        let rest = String(trimmed.dropFirst(first.count))
        let restOffset = leading + first.count
        switch first {
        case "":
            throw ConditionError(message: "missing PLUGIN, `change PATH` or `error`", offset: 0)
        case "error":
            guard rest.allSatisfy(\.isWhitespace) else {
                throw ConditionError(message: "`break error` takes nothing after it", offset: restOffset + (rest.count - rest.drop { $0.isWhitespace }.count))
            }
            return Breakpoint(id: id, trigger: .error)
        case "change":
            // The path is read as conditions read paths: /text, /items/0, /"a key with spaces", or value.
            var lexer = ConditionLexer(rest)
            lexer.skipBlanks()
            let path: JSONPointer
            do throws(ConditionError) {
                if lexer.takeWord("value") {
                    path = JSONPointer(tokens: [])
                } else {
                    guard lexer.current == "/" else {
                        throw lexer.atEnd ? lexer.error("`break change` needs a PATH (a JSON Pointer such as /text)")
                            : lexer.unexpected("`break change` takes a PATH starting with /")
                    }
                    path = try lexer.parsePath()
                }
                lexer.skipBlanks()
                guard lexer.atEnd else { throw lexer.unexpected("`break change` takes one PATH") }
            } catch {
                throw ConditionError(message: error.message, offset: restOffset + error.offset)
            }
            return Breakpoint(id: id, trigger: .change(path))
        default:
            let after = rest.drop { $0.isWhitespace }
            guard !after.isEmpty else { return Breakpoint(id: id, trigger: .plugin(first, nil)) }
            let afterOffset = restOffset + (rest.count - after.count)
            guard after.hasPrefix("if"), after.dropFirst(2).first.map(\.isWhitespace) ?? true else {
                throw ConditionError(message: "expected `if CONDITION` after the plugin, found '\(after.prefix { !$0.isWhitespace })'", offset: afterOffset)
            }
            let condition = String(after.dropFirst(2))
            guard !condition.allSatisfy(\.isWhitespace) else {
                throw ConditionError(message: "`if` needs a condition after it (/text contains \"rm\")", offset: afterOffset + 2)
            }
            do {
                return Breakpoint(id: id, trigger: .plugin(first, try Condition.parse(condition)))
            } catch {
                throw ConditionError(message: error.message, offset: afterOffset + 2 + error.offset)
            }
        }
    }

    /// Why a breakpoint stopped a walk: which one, and at which stage.
    public struct Hit: Sendable {
        public var breakpoint: Breakpoint
        /// The stage it stopped before (`plugin`) or after (`change`, `error`).
        public var plugin: String
        public var position: Int
        /// For `change`: the value at the path before and after the stage (nil: absent).
        public var old: JSONValue?
        public var new: JSONValue?
    }

    /// Whether this breakpoint stops before the stage of `plugin`, given the value it will receive.
    public func stopsBefore(_ plugin: String, value: JSONValue) -> Bool {
        guard case .plugin(let name, let condition) = trigger, name == plugin else { return false }
        return condition?.evaluate(value) ?? true
    }

    /// For `change`: the path's value before and after `stage`, when the stage changed it.
    func changeAfter(_ step: WalkStep) -> (old: JSONValue?, new: JSONValue?)? {
        guard case .change(let path) = trigger, step.stage.ran else { return nil }
        let old = path.resolve(in: step.input), new = path.resolve(in: step.output)
        switch (old, new) {
        case (nil, nil): return nil
        case (let a?, let b?) where a == b: return nil
        default: return (old, new)
        }
    }
}

extension Array where Element == Breakpoint {
    /// Whether any of them stops at a stage that raised.
    var breaksOnError: Bool { contains { $0.trigger == .error } }
    /// Whether any of them watches values (then every stage must run on its own to be checked).
    var watchesChanges: Bool { contains { if case .change = $0.trigger { true } else { false } } }
}
