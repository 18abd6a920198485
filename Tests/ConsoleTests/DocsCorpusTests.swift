import Foundation
import PluginSystem
import Testing
import TestSupport

/// Every plugin the dagstack docs teach, as the pages write them (Tests/Fixtures/docs/<page>/<scenario>,
/// README.md there), driven through the built console in batch `--json` mode; each scenario's
/// `expected.json` holds what the page claims — or, where this runtime deliberately differs, what it
/// does instead (`this_runtime` says why, docs/runtime.md lists it).
@Suite struct DocsCorpusTests {
    static let root = packageRoot + "/Tests/Fixtures/docs"

    /// Claims no console output shows (set-up logs, structured logs, the plugin's own bookkeeping):
    /// the unit tests check them where they can be seen. Every scenario has checks besides these.
    static let unobservable: Set<String> = [
        "setup_order", "teardown_order", "setup_logs_contain", "teardown_logs_contain", "setup_not_called", "http_requests",
        "progress_events", "structured_log_contains", "not_called_after_failure", "logs_or_note_contain", "note",
    ]

    static func scenarios() -> [String] {
        let fm = FileManager.default
        return ((try? fm.contentsOfDirectory(atPath: root)) ?? []).sorted().flatMap { page in
            ((try? fm.contentsOfDirectory(atPath: root + "/" + page)) ?? []).sorted()
                .filter { fm.fileExists(atPath: "\(root)/\(page)/\($0)/expected.json") }.map { "\(page)/\($0)" }
        }
    }

    @Test func everyDocumentedScenarioRunsWithTheOutcomeItsPageClaims() async throws {
        let scenarios = Self.scenarios()
        #expect(scenarios.count >= 80, "the corpus is in Tests/Fixtures/docs")
        var failures: [String] = []
        // Two at a time: each runs a console and a Python interpreter.
        try await withThrowingTaskGroup(of: [String].self) { group in
            var pending = scenarios[...]
            for _ in 0..<2 {
                if let next = pending.popFirst() { group.addTask { try await Self.run(next) } }
            }
            while let found = try await group.next() {
                failures += found
                if let next = pending.popFirst() { group.addTask { try await Self.run(next) } }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) claims do not hold:\n\(failures.joined(separator: "\n"))")
    }

    /// Runs one scenario as its README says (`dagstack-console . --json -c reload -c COMMAND... -c plugins`
    /// from its folder) and returns the claims that do not hold.
    static func run(_ scenario: String) async throws -> [String] {
        let folder = root + "/" + scenario
        let expected = try JSONValue.parse(String(contentsOfFile: folder + "/expected.json", encoding: .utf8))
        let commands = (expected["commands"]?.arrayValue ?? []).compactMap(\.stringValue)
        var arguments = [".", "--json"]
        for resource in expected["resource_args"]?.arrayValue ?? [] { arguments += ["--resource", resource.stringValue ?? ""] }
        for command in ["reload"] + commands + ["plugins"] { arguments += ["-c", command] }
        var env = ProcessInfo.processInfo.environment
        for name in ["STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_BASE_URL", "DAGSTACK_ENV", "DAGSTACK_ACTIVE_PAYMENT_PROVIDER"] {
            env.removeValue(forKey: name)
        }
        for (name, value) in expected["env"]?.objectValue ?? [:] { env[name] = value.stringValue ?? "" }
        env["NO_COLOR"] = "1"
        let services = try await (expected["services"]?.arrayValue ?? []).asyncMap { try await ScenarioService.start($0, in: folder) }
        defer { services.forEach { $0.stop() } }
        let result = try await TestSupport.run(consoleBinary, arguments, environment: env, workingDirectory: folder)
        let documents = result.stdout.split(separator: "\n").map { (try? JSONValue.parse(String($0))) ?? ["unparsed": .string(String($0))] }
        var failures: [String] = []
        var checked = 0
        if let load = expected["load"], load != .null {
            for (ok, message) in CorpusCheck.load(load, reload: documents.first, stderr: result.stderr) {
                checked += 1
                if !ok { failures.append("\(scenario): \(message)") }
            }
        }
        for (index, claims) in (expected["expect"]?.arrayValue ?? []).enumerated() {
            let command = index < commands.count ? commands[index] : "?"
            let document = index + 1 < documents.count ? documents[index + 1] : ["command": "?", "error": ["message": "no result"]]
            for (key, claim) in claims.objectValue ?? [:] where !unobservable.contains(key) {
                checked += 1
                if let problem = CorpusCheck.claim(key, claim, document) { failures.append("\(scenario) [\(command)]: \(problem)") }
            }
        }
        if checked == 0 { failures.append("\(scenario): no claim the console's output can show") }
        return failures
    }
}

/// One claim of a scenario's expected.json against a command's JSON result (Tests/Fixtures/docs/README.md
/// lists the keys). Nil when it holds, else what was found instead.
enum CorpusCheck {
    static func names(_ error: JSONValue?) -> Set<String> {
        Set([error?["code"]?.stringValue, error?["exception_type"]?.stringValue].compactMap { $0 })
    }

    static func text(_ error: JSONValue?) -> String {
        (error?["message"]?.stringValue ?? "") + " " + (error?["traceback"]?.stringValue ?? "")
    }

    /// `expected` holds within `actual`: objects by their keys, arrays element by element.
    static func subset(_ expected: JSONValue, _ actual: JSONValue?) -> Bool {
        switch expected {
        case .object(let o):
            guard case .object(let a)? = actual else { return false }
            return o.allSatisfy { subset($0.value, a[$0.key]) }
        case .array(let items):
            guard case .array(let a)? = actual, a.count == items.count else { return false }
            return zip(items, a).allSatisfy { subset($0, $1) }
        default:
            return expected == actual
        }
    }

    static func plugins(_ document: JSONValue) -> [String: JSONValue] {
        var byName: [String: JSONValue] = [:]
        for p in document["plugins"]?.arrayValue ?? [] { if let name = p["name"]?.stringValue { byName[name] = p } }
        return byName
    }

    static func claim(_ key: String, _ claim: JSONValue, _ document: JSONValue) -> String? {
        let command = document["command"]?.stringValue
        let answers = document["answers"]?.arrayValue ?? []
        let commandError = command == "trace" ? nil : document["error"]
        let callErrors = document["errors"]?.arrayValue ?? []
        func check(_ ok: Bool, _ found: @autoclosure () -> String) -> String? { ok ? nil : "\(key): \(found())" }
        switch key {
        case "value":
            if command == "call", document["dispatch"] == "chain" { return check(document["output"] == claim, "got \(document["output"]?.encoded() ?? "nothing")") }
            if let commandError { return "value: the command failed: \(text(commandError))" }
            guard let first = answers.first else { return "value: no answer; errors: \(callErrors.map(text))" }
            return check(first["value"] == claim, "got \(first["value"]?.encoded() ?? "nothing")")
        case "value_any_of":
            return check(claim.arrayValue?.contains(answers.first?["value"] ?? .null) == true, "got \(answers.first?["value"]?.encoded() ?? "nothing")")
        case "value_path":
            return check(subset(claim, answers.first?["value"]), "got \(answers.first?["value"]?.encoded() ?? "nothing")")
        case "values":
            return check(.array(answers.map { $0["value"] ?? .null }) == claim, "got \(answers.map { $0["value"]?.encoded() ?? "" })")
        case "answered_by":
            return check(.array(answers.map { $0["plugin"] ?? .null }) == claim, "got \(answers.map { $0["plugin"]?.stringValue ?? "" })")
        case "chosen":
            return check(answers.first?["plugin"] == claim, "got \(answers.first?["plugin"]?.stringValue ?? "none"); errors: \((commandError.map { [$0] } ?? callErrors).map(text))")
        case "matched_by":
            return check(document["matched_by"] == claim, "got \(document["matched_by"]?.stringValue ?? "none")")
        case "matched_by_any_of":
            return check(claim.arrayValue?.contains(document["matched_by"] ?? .null) == true, "got \(document["matched_by"]?.stringValue ?? "none")")
        case "called", "not_called":
            let seen = Set((answers + callErrors).compactMap { $0["plugin"]?.stringValue })
            let wanted = (claim.arrayValue ?? []).compactMap(\.stringValue)
            let ok = key == "called" ? wanted.allSatisfy(seen.contains) : !wanted.contains(where: seen.contains)
            return check(ok, "called \(seen.sorted())")
        case "command_succeeds":
            return check((document["error"] == nil) == (claim == true), "error: \(text(document["error"]))")
        case "errors":
            let got = callErrors.map { JSONValue.object(["plugin": $0["plugin"] ?? .null, "exception_type": $0["exception_type"] ?? .null]) }
            let want = claim.arrayValue ?? []
            return check(got.count == want.count && zip(want, got).allSatisfy { subset($0, $1) }, "got \(got.map { $0.encoded() })")
        case "error" where claim.objectValue == nil, "error_any_of" where claim.objectValue == nil:
            let wanted = Set(key == "error" ? [claim.stringValue ?? ""] : (claim.arrayValue ?? []).compactMap(\.stringValue))
            var errors: [JSONValue] = command == "trace" ? [document["error"] ?? .null] : commandError.map { [$0] } ?? callErrors
            if commandError == nil, command == "call", !answers.isEmpty, ["singleton", "capability", "chain"].contains(document["dispatch"]?.stringValue ?? "") {
                errors = []
            }
            let found = errors.reduce(into: Set<String>()) { $0.formUnion(names($1)) }
            return check(!found.isDisjoint(with: wanted), "got \(found.sorted()) \(errors.map(text))")
        case "error_message_contains" where claim.arrayValue != nil:
            let haystack: String
            if command == "show" {
                haystack = text(document["error"]) + " " + (document["reason"]?.stringValue ?? "")
            } else {
                let errors: [JSONValue] = command == "trace" ? [document["error"] ?? .null] : commandError.map { [$0] } ?? callErrors
                haystack = errors.map(text).joined(separator: " ")
            }
            let wanted = (claim.arrayValue ?? []).compactMap(\.stringValue)
            return check(wanted.allSatisfy(haystack.contains), "got \(haystack.prefix(400))")
        case "error", "error_any_of", "error_message_contains", "reason_contains", "state", "state_not":
            if let wantedByPlugin = claim.objectValue {
                let byName = ["plugins", "reload"].contains(command ?? "") ? plugins(document) : [:]
                var problems: [String] = []
                for (name, want) in wantedByPlugin {
                    guard let p = byName[name] else {
                        if key != "state_not" { problems.append("\(name) absent") }
                        continue
                    }
                    let state = p["state"]?.stringValue ?? ""
                    let errorText = text(p["error"]) + " " + (p["reason"]?.stringValue ?? "")
                    let good: Bool = switch key {
                    case "state": p["state"] == want
                    case "state_not": p["state"] != want
                    case "error": names(p["error"]).contains(want.stringValue ?? "")
                    case "error_any_of": !names(p["error"]).isDisjoint(with: (want.arrayValue ?? []).compactMap(\.stringValue))
                    default: (want.arrayValue ?? []).compactMap(\.stringValue).allSatisfy(errorText.contains)
                    }
                    if !good { problems.append("\(name): \(state) \(errorText.prefix(200))") }
                }
                return problems.isEmpty ? nil : "\(key): " + problems.joined(separator: "; ")
            }
            if key == "state" { return check(document["state"] == claim, "got \(document["state"]?.stringValue ?? "none") \(text(document["error"]))") }
            let reason = (document["reason"]?.stringValue ?? "") + text(document["error"])
            return check((claim.arrayValue ?? []).compactMap(\.stringValue).allSatisfy(reason.contains), "got \(reason.prefix(300))")
        case "error_not":
            return check(!names(document["error"]).contains(claim.stringValue ?? ""), "got \(names(document["error"]))")
        case "absent":
            let byName = plugins(document)
            return check(!(claim.arrayValue ?? []).contains { byName[$0.stringValue ?? ""] != nil }, "plugins \(byName.keys.sorted())")
        case "names_exactly":
            return check(plugins(document).keys.sorted() == (claim.arrayValue ?? []).compactMap(\.stringValue).sorted(), "plugins \(plugins(document).keys.sorted())")
        case "plugins_exactly":
            let got = Set((document["plugins"]?.arrayValue ?? []).map { "\($0["kind"]?.stringValue ?? "")/\($0["name"]?.stringValue ?? "")/\($0["state"]?.stringValue ?? "")" })
            let want = Set((claim.arrayValue ?? []).map { "\($0["kind"]?.stringValue ?? "")/\($0["name"]?.stringValue ?? "")/\($0["state"]?.stringValue ?? "")" })
            return check(got == want, "got \(got.sorted())")
        case "manifest_fields", "code":
            let actual = document[key == "manifest_fields" ? "manifest" : "code"]
            let bad = (claim.objectValue ?? [:]).filter { !subset($0.value, actual?[$0.key]) }
            return check(bad.isEmpty, "mismatched \(bad.keys.map { "\($0)=\(actual?[$0]?.encoded() ?? "absent")" })")
        case "runtime":
            return check(document["runtime"] == claim, "got \(document["runtime"]?.stringValue ?? "none")")
        case "order":
            let got = command == "order" ? (document["order"]?.arrayValue ?? []).map { $0["plugin"] ?? .null }
                : (document["stages"]?.arrayValue ?? []).map { $0["plugin"] ?? .null }
            return check(.array(got) == claim, "got \(got.map { $0.stringValue ?? "" })")
        case "stage_outputs":
            let got = (document["stages"]?.arrayValue ?? []).map { $0["after"] ?? .null }
            return check(.array(got) == claim, "got \(JSONValue.array(got).encoded().prefix(300))")
        case "statuses":
            let got = (document["stages"]?.arrayValue ?? []).map { $0["status"] ?? .null }
            return check(.array(got) == claim, "got \(got.map { $0.stringValue ?? "" })")
        case "output":
            return check(document["output"] == claim, "got \(document["output"]?.encoded() ?? "nothing") \(text(document["error"]))")
        case "stopped_by":
            return check(document["stopped_by"] == claim, "got \(document["stopped_by"]?.stringValue ?? "none")")
        case "stage_middleware":
            var seen = 0
            for stage in document["stages"]?.arrayValue ?? [] {
                guard let name = stage["plugin"]?.stringValue, let want = claim[name] else { continue }
                seen += 1
                let got = JSONValue.array((stage["middleware"]?.arrayValue ?? []).map { ["plugin": $0["plugin"] ?? .null, "hook": $0["hook"] ?? .null] })
                if got != want { return "stage_middleware: \(name) got \(got.encoded())" }
            }
            return check(seen > 0, "no stage named")
        case "logs_contain":
            var lines: [(String, String)] = []
            for a in answers { lines += (a["logs"]?.arrayValue ?? []).map { (a["plugin"]?.stringValue ?? "", $0["text"]?.stringValue ?? "") } }
            for s in document["stages"]?.arrayValue ?? [] {
                lines += (s["logs"]?.arrayValue ?? []).map { (s["plugin"]?.stringValue ?? "", $0["text"]?.stringValue ?? "") }
                for m in s["middleware"]?.arrayValue ?? [] {
                    lines += (m["logs"]?.arrayValue ?? []).map { (m["plugin"]?.stringValue ?? "", $0["text"]?.stringValue ?? "") }
                }
            }
            let ok = (claim.objectValue ?? [:]).allSatisfy { plugin, want in lines.contains { $0.0 == plugin && $0.1.contains(want.stringValue ?? "\u{0}") } }
            return check(ok, "logs \(lines.prefix(6))")
        case "passed":
            return check(document["passed"] == claim, "got \(document["passed"]?.encoded() ?? "none")")
        case "kinds_contain":
            var byKind: [String: JSONValue] = [:]
            for k in document["kinds"]?.arrayValue ?? [] { byKind[k["kind"]?.stringValue ?? ""] = k }
            let ok = (claim.arrayValue ?? []).allSatisfy { want in
                guard let kind = byKind[want["kind"]?.stringValue ?? ""] else { return false }
                return (want["hooks"]?.arrayValue ?? []).allSatisfy { hook in (kind["hooks"]?.arrayValue ?? []).contains { subset(hook, $0) } }
            }
            return check(ok, "kinds \(byKind.keys.sorted())")
        case "output_not_contains":
            let all = document.encoded()
            return check(!(claim.arrayValue ?? []).contains { all.contains($0.stringValue ?? "\u{0}") }, "a secret is in the output")
        case "finding":
            let fails = (document["reports"]?.arrayValue ?? []).flatMap { $0["findings"]?.arrayValue ?? [] }.filter { $0["status"] == "fail" }
            let found = fails.contains { f in
                let check = f["check"]?.stringValue ?? ""
                let checkOK = (claim["check"]?.stringValue).map { $0 == check } ?? true
                    && ((claim["check_any_of"]?.arrayValue).map { $0.compactMap(\.stringValue).contains(check) } ?? true)
                let violationOK = (claim["violation_any_of"]?.arrayValue).map { $0.compactMap(\.stringValue).contains(f["violation"]?.stringValue ?? "") } ?? true
                let message = (f["message"]?.stringValue ?? "") + (f["details"]?.encoded() ?? "")
                let messageOK = (claim["message_contains_any_of"]?.arrayValue).map { $0.compactMap(\.stringValue).contains(where: message.contains) } ?? true
                return checkOK && violationOK && messageOK
            }
            return check(found, "failing findings \(fails.map { "\($0["check"]?.stringValue ?? ""): \($0["message"]?.stringValue?.prefix(120) ?? "")" })")
        case "config_shown", "config_shown_subset":
            return check(key == "config_shown" ? document["config"] == claim : subset(claim, document["config"]), "got \(document["config"]?.encoded() ?? "none")")
        default:
            return "\(key): a claim this test does not know how to check"
        }
    }

    /// What must hold of the start-up summary (the `reload` result and the notes on stderr).
    static func load(_ load: JSONValue, reload: JSONValue?, stderr: String) -> [(Bool, String)] {
        var out: [(Bool, String)] = []
        var candidates: [(source: String, error: JSONValue)] = (reload?["problems"]?.arrayValue ?? []).map {
            ($0["source"]?.stringValue ?? "", $0["error"] ?? .null)
        }
        for p in reload?["plugins"]?.arrayValue ?? [] where p["state"] != "active" {
            candidates.append((p["folder"]?.stringValue ?? "", p["error"] ?? ["message": p["reason"] ?? .null]))
        }
        let warnings = (reload?["warnings"]?.arrayValue ?? []).map { $0.encoded() }.joined(separator: " ") + " " + stderr
        for problem in load["problems"]?.arrayValue ?? [] {
            let found = candidates.contains { candidate in
                if let source = problem["source_contains"]?.stringValue, !candidate.source.contains(source) { return false }
                let errorNames = names(candidate.error)
                if let code = problem["error"]?.stringValue, !errorNames.contains(code) { return false }
                if let any = problem["error_any_of"]?.arrayValue, errorNames.isDisjoint(with: any.compactMap(\.stringValue)) { return false }
                return (problem["message_contains"]?.arrayValue ?? []).compactMap(\.stringValue).allSatisfy(text(candidate.error).contains)
            }
            out.append((found, "load problem \(problem.encoded()) not found among \(candidates.map { "\($0.source): \(text($0.error).prefix(160))" })"))
        }
        if let wanted = load["warnings_contain"]?.arrayValue {
            out.append((wanted.compactMap(\.stringValue).allSatisfy(warnings.contains), "load warnings lack \(wanted.map { $0.encoded() })"))
        }
        if let unwanted = load["warnings_not_contain"]?.arrayValue {
            out.append((!unwanted.compactMap(\.stringValue).contains(where: warnings.contains), "load warnings hold one of \(unwanted.map { $0.encoded() })"))
        }
        return out
    }
}

/// A service a scenario's page assumes is running (`services` in expected.json: an argv run in the
/// scenario's folder whose last argument is the 127.0.0.1 port it listens on), started before the
/// console and stopped after it.
final class ScenarioService: @unchecked Sendable {
    let process: Process

    init(process: Process) { self.process = process }

    static func start(_ argv: JSONValue, in folder: String) async throws -> ScenarioService {
        let words = (argv.arrayValue ?? []).compactMap(\.stringValue)
        guard let port = words.last.flatMap(Int.init) else { throw ScenarioError(message: "a service's last argument must be its port: \(argv.encoded())") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = words
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let service = ScenarioService(process: process)
        let until = Date().addingTimeInterval(10)
        while !isListening(port: port) {
            guard Date() < until, process.isRunning else {
                service.stop()
                throw ScenarioError(message: "the service \(words) did not listen on 127.0.0.1:\(port)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return service
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    struct ScenarioError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async throws -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
