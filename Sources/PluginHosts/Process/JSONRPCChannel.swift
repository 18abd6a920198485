import Foundation
import OrderedCollections
import PluginSystem
import Synchronization

/// Why a JSON-RPC request did not produce a result.
enum RPCFailure: Error {
    case timedOut
    case cancelled
    /// The peer closed its stdout: it exited or crashed.
    case closed
    case tooLarge
    /// The answer was JSON the console does not carry (too deep, a number out of range, invalid
    /// UTF-8) or no JSON at all: reported at once as what it is, the channel stays usable.
    case undecodable(JSONParseError)
    /// The peer answered with a JSON-RPC error object.
    case remote(code: Int, message: String, data: JSONValue?)
}

/// A request the process at the other end sends while one of ours is in progress (plugin code
/// calling back: `ctx.registry.get_plugin`, a proxied hook, the http client).
struct PeerRequest: Sendable {
    let method: String
    let params: JSONValue
}

/// What the console answers a peer request with, and lines for the log of the call in progress.
struct PeerAnswer: Sendable {
    var result: Result<JSONValue, PeerError>
    var logs: [PluginLog] = []
}

struct PeerError: Error, Sendable {
    var code = -32000
    var message: String
    /// The error's name for the plugin's runtime to raise (KindUnknown, ValueError...).
    var type: String
}

/// Serves the requests a plugin's process makes of the console.
protocol PeerRequestHandler: Sendable {
    func handle(_ request: PeerRequest) async -> PeerAnswer
}

/// Newline-delimited JSON-RPC 2.0 over a child's stdin/stdout, one conversation at a time. Unlike
/// the reference's adapter, every response is matched to its request `id` (a late answer to a
/// request that timed out is discarded, not taken for the next one), `log` notifications and lines
/// that are not JSON are kept as the call's output instead of breaking the channel. The child may
/// send requests of its own while it works on ours; `peer` answers them, and a request of ours made
/// while answering one (a nested call into the same process) joins the conversation in progress.
final class JSONRPCChannel: Sendable {
    let process: ChildProcess
    let peer: (any PeerRequestHandler)?
    private let nextID = Mutex(0)
    /// Held for a whole request/response exchange: the wire carries one conversation at a time. A
    /// semaphore, not a mutex: an asynchronous exchange holds it across a hand-off between threads.
    private let conversation = DispatchSemaphore(value: 1)

    /// What the peer sent during the last request that got no answer (it timed out, was cancelled,
    /// or the peer died): its log and output notifications and stray stdout lines, kept for the error.
    private let unanswered = Mutex(Heard(deadline: nil))

    /// The channels whose peer requests the current task is answering: its own requests on them
    /// are part of the conversation already held.
    @TaskLocal static var answering: [ObjectIdentifier] = []

    /// The peer repeats in each answer's logs what it sent as `output` notifications while the call
    /// ran (the Python host does): those notifications then matter only when no answer comes. For any
    /// other peer an `output` notification is part of the call's output, like `log`.
    let answersRepeatOutput: Bool

    /// Whether the peer may borrow the console's terminal for a debugger (`debugger.open`).
    let debugger: DebuggerAccess

    init(
        process: ChildProcess, peer: (any PeerRequestHandler)? = nil, answersRepeatOutput: Bool = false,
        debugger: DebuggerAccess = .noTerminal
    ) {
        self.process = process
        self.peer = peer
        self.answersRepeatOutput = answersRepeatOutput
        self.debugger = debugger
    }

    /// How the Python host starts an `output` notification (protocol.py's OUTPUT_PREFIX).
    static let outputPrefix = Data(#"{"jsonrpc":"2.0","method":"output","params":"#.utf8)

    static func outputLine(_ params: JSONValue) -> PluginLog {
        PluginLog(stream: params["stream"]?.stringValue ?? "stdout", level: params["level"]?.stringValue, text: params["text"]?.stringValue ?? "")
    }

    /// What `receive` read: the answer, a request of the peer, or nothing yet.
    enum Received {
        case reply(Reply)
        case peerRequest(id: JSONValue, PeerRequest)
        case pending
    }

    /// What the peer wrote during the request that just failed, and on its stderr since the last
    /// call (a last line without a newline included): what the user needs to see after a hang or a crash.
    /// With `skippingStreamed`, the first streamed entries are left out (they belong to an earlier
    /// stage of a batch, whose answer came in an announcement).
    func takeUnansweredOutput(skippingStreamed skipped: Int = 0) -> [PluginLog] {
        let kept = unanswered.withLock { heard in defer { heard = Heard(deadline: nil) }; return heard }
        return kept.logs + kept.streamedLogs(from: skipped)
            + process.stderr.drain(includingPartialLine: true).map { PluginLog(stream: "stderr", text: $0) }
    }

    struct Reply {
        var result: JSONValue
        var logs: [PluginLog]
    }

    /// What a notification the peer sends during a request (other than its output) changes: nil
    /// leaves the deadline as it is, a number of seconds starts a new one from now.
    typealias Progress = @Sendable (_ method: String, _ params: JSONValue) -> Double?

    /// One request and its answer, blocking the calling thread (never one of Swift's cooperative
    /// threads: a peer request is answered by waiting here for an asynchronous task).
    func request(
        _ method: String, params: JSONValue?, timeout: Double?, cancellation: CancellationFlag? = nil, progress: Progress? = nil
    ) throws(RPCFailure) -> Reply {
        let nested = Self.answering.contains(ObjectIdentifier(self))
        if !nested { conversation.wait() }
        defer { if !nested { conversation.signal(); endDebugging() } }
        let id = try send(method, params)
        var heard = Heard(deadline: deadline(timeout))
        while true {
            switch try receive(id, cancellation: cancellation, until: nil, progress: progress, heard: &heard) {
            case .reply(let reply): return reply
            case .pending: continue
            case .peerRequest(let peerID, let request):
                let started = ContinuousClock.now
                let answer: PeerAnswer
                if let local = answerLocally(request) {
                    answer = local
                } else {
                    let done = DispatchSemaphore(value: 0)
                    let slot = Mutex<PeerAnswer?>(nil)
                    Task { [self] in
                        let result = await answerPeer(request, during: params)
                        slot.withLock { $0 = result }
                        done.signal()
                    }
                    done.wait()
                    answer = slot.withLock { $0! }
                }
                try reply(to: peerID, answer, heard: &heard)
                heard.deadline = heard.deadline.map { $0 + (ContinuousClock.now - started) }
            }
        }
    }

    /// One request and its answer from async code: the answer is read right here for up to half a
    /// millisecond (most answers come sooner), and only a slower one is waited for on an I/O thread —
    /// a thread hand-off costs more than a fast plugin takes to answer. Requests the peer makes
    /// meanwhile are answered, and the time spent answering them does not count against `timeout`:
    /// the peer was waiting for the console.
    func exchange(_ method: String, params: JSONValue?, timeout: Double?, progress: Progress? = nil) async throws(RPCFailure) -> Reply {
        let nested = Self.answering.contains(ObjectIdentifier(self))
        if !nested, conversation.wait(timeout: .now()) == .timedOut {
            await BlockingIO.run { [conversation] _ in conversation.wait() }
        }
        defer { if !nested { conversation.signal(); endDebugging() } }
        let id = try send(method, params)
        var heard = Heard(deadline: deadline(timeout))
        while true {
            var received = try receive(id, cancellation: nil, until: .now + .microseconds(500), progress: progress, heard: &heard)
            if case .pending = received {
                let early = heard
                let outcome = await BlockingIO.run { [self] flag in
                    Result { () throws(RPCFailure) -> (Received, Heard) in
                        var heard = early
                        // Already looked for without sleeping above: this wait may sleep at once.
                        let received = try receive(id, cancellation: flag, until: nil, spin: false, progress: progress, heard: &heard)
                        return (received, heard)
                    }
                }
                (received, heard) = try outcome.get()
            }
            switch received {
            case .reply(let reply): return reply
            case .pending: continue
            case .peerRequest(let peerID, let request):
                let started = ContinuousClock.now
                let answer: PeerAnswer
                if let local = answerLocally(request) { answer = local } else { answer = await answerPeer(request, during: params) }
                try reply(to: peerID, answer, heard: &heard)
                heard.deadline = heard.deadline.map { $0 + (ContinuousClock.now - started) }
            }
        }
    }

    /// Runs the peer's request, marking this channel as answered by the task so a request of ours
    /// made meanwhile (a nested call into the same process) does not wait for the conversation.
    /// A request that does not say who makes it (`http.request`, `blob.*`) is made by the plugin
    /// whose call is in progress, when that call names one plugin.
    private func answerPeer(_ request: PeerRequest, during call: JSONValue?) async -> PeerAnswer {
        var request = request
        if request.params["caller"] == nil, let plugin = call?["plugin"]?.stringValue, case .object(var params) = request.params {
            params["caller"] = .string(plugin)
            request = PeerRequest(method: request.method, params: .object(params))
        }
        guard let peer else {
            return PeerAnswer(result: .failure(PeerError(code: -32601, message: "the console does not serve '\(request.method)' here", type: "RuntimeError")))
        }
        return await Self.$answering.withValue(Self.answering + [ObjectIdentifier(self)]) { await peer.handle(request) }
    }

    private func reply(to id: JSONValue, _ answer: PeerAnswer, heard: inout Heard) throws(RPCFailure) {
        heard.logs += answer.logs
        var message: JSONObject = ["jsonrpc": "2.0", "id": id]
        switch answer.result {
        case .success(let value): message["result"] = value
        case .failure(let error):
            message["error"] = ["code": .int(error.code), "message": .string(error.message), "data": ["type": .string(error.type)]]
        }
        var line = JSONValue.object(message).encodedBytes()
        line.append(0x0A)
        do { try process.write(line) } catch { throw .closed }
    }

    /// A notification (no id, no answer): MCP's `notifications/initialized`.
    func notify(_ method: String, params: JSONValue?) throws(RPCFailure) {
        var message: JSONObject = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { message["params"] = params }
        var line = JSONValue.object(message).encodedBytes()
        line.append(0x0A)
        do { try process.write(line) } catch { throw .closed }
    }

    private func deadline(_ timeout: Double?) -> ContinuousClock.Instant? {
        timeout.map { ContinuousClock.now + TimeLimit.duration($0) }
    }

    private func send(_ method: String, _ params: JSONValue?) throws(RPCFailure) -> Int {
        let id = nextID.withLock { $0 += 1; return $0 }
        var message: JSONObject = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { message["params"] = params }
        message["id"] = .int(id)
        var line = JSONValue.object(message).encodedBytes()
        line.append(0x0A)
        do { try process.write(line) } catch { throw .closed }
        return id
    }

    /// What the peer sent while a request waits for its answer, and when the wait ends.
    struct Heard: Sendable {
        /// When the request times out (nil: never, or not while a debugger waits for the user).
        var deadline: ContinuousClock.Instant?
        /// While a debugger in the peer waits at its prompt: the time that was left (the user's time
        /// is not the plugin's).
        var paused: Duration??
        /// Log notifications and stray stdout lines: part of the call's output.
        var logs: [PluginLog] = []
        /// `output` notifications from a peer whose answers repeat them: they matter only when no
        /// answer comes, so they are kept as they came and read only then.
        var streamed: [Data] = []

        /// Everything heard, the streamed lines read now.
        var all: [PluginLog] { logs + streamedLogs(from: 0) }

        /// The streamed lines from the `first`-th on. A line still being written comes as a partial
        /// entry, replaced by the next one of its stream: only the last unfinished line of each
        /// stream is kept, after the others.
        func streamedLogs(from first: Int) -> [PluginLog] {
            var lines: [PluginLog] = []
            var partial: [String: PluginLog] = [:]
            for raw in streamed.dropFirst(first) {
                guard let params = (try? JSONValue.parse(data: raw))?["params"] else { continue }
                let line = JSONRPCChannel.outputLine(params)
                if params["partial"] == true {
                    partial[line.stream] = line
                } else {
                    partial[line.stream] = nil
                    lines.append(line)
                }
            }
            return lines + partial.values.sorted { $0.stream > $1.stream }
        }
    }

    /// Reads until the answer to `id` or a request of the peer; `.pending` when `until` passes first
    /// (the caller goes on waiting elsewhere, with what it `heard` so far).
    private func receive(
        _ id: Int, cancellation: CancellationFlag?, until: ContinuousClock.Instant?, spin: Bool = true, progress: Progress? = nil,
        heard: inout Heard
    ) throws(RPCFailure) -> Received {
        func unanswered(_ failure: RPCFailure, _ kept: Heard) -> RPCFailure {
            self.unanswered.withLock { $0 = kept }
            return failure
        }
        while true {
            let readUntil = [heard.deadline, until].compactMap { $0 }.min()
            let raw: Data?
            switch Result(catching: { () throws(ChildIOError) in try process.readLine(deadline: readUntil, cancellation: cancellation, spin: spin) }) {
            case .success(let line): raw = line
            case .failure(.timedOut):
                if let until, ContinuousClock.now >= until, heard.deadline.map({ ContinuousClock.now < $0 }) ?? true { return .pending }
                throw unanswered(.timedOut, heard)
            case .failure(.cancelled): throw unanswered(.cancelled, heard)
            case .failure(.closed): throw unanswered(.closed, heard)
            case .failure(.tooLarge): throw unanswered(.tooLarge, heard)
            }
            guard let raw else { throw unanswered(RPCFailure.closed, heard) }
            if answersRepeatOutput, raw.starts(with: Self.outputPrefix) {
                heard.streamed.append(raw)
                continue
            }
            let parsed: JSONValue
            do { parsed = try JSONValue.parse(data: raw) } catch {
                // What is shaped as the answer to this request (an object with this id, or JSON that
                // is only beyond the limits) is that answer, unreadable: said now, not after the time
                // limit. Anything else that is not JSON is the program's output.
                if raw.first == UInt8(ascii: "{"), Self.answerID(in: raw).map({ $0 == id }) ?? (error.kind != .syntax) {
                    throw unanswered(.undecodable(error), heard)
                }
                heard.logs.append(PluginLog(stream: "stdout", text: String(decoding: raw.prefix(4096), as: UTF8.self)))
                continue
            }
            guard case .object(let object) = parsed else {
                heard.logs.append(PluginLog(stream: "stdout", text: String(decoding: raw.prefix(4096), as: UTF8.self)))
                continue
            }
            if let method = object["method"]?.stringValue, let peerID = object["id"], peerID != .null {
                return .peerRequest(id: peerID, PeerRequest(method: method, params: object["params"] ?? [:]))
            }
            if object["id"] == nil, let notification = object["method"]?.stringValue {
                let params = object["params"] ?? .null
                if notification == "log" || notification == "notifications/message" {
                    let text = params["message"]?.stringValue ?? params["data"]?.stringValue ?? params.encoded()
                    heard.logs.append(PluginLog(stream: "log", level: params["level"]?.stringValue?.uppercased(), text: text))
                } else if notification == "output" {
                    heard.logs.append(Self.outputLine(params))
                } else if notification == "debugger" {
                    debuggerEvent(params, heard: &heard)
                } else if let progress, let seconds = progress(notification, params) {
                    // While a debugger waits for the user the limit stays paused: the new one starts
                    // when it resumes.
                    if heard.paused != nil { heard.paused = .some(.seconds(seconds)) } else { heard.deadline = self.deadline(seconds) }
                }
                continue
            }
            guard object["id"]?.intValue == id else { continue }  // a stale answer to an abandoned request
            if let error = object["error"] {
                throw .remote(
                    code: error["code"]?.intValue ?? 0, message: error["message"]?.stringValue ?? error.encoded(), data: error["data"])
            }
            return .reply(Reply(result: object["result"] ?? .null, logs: heard.logs))
        }
    }
}

extension JSONRPCChannel {
    /// The requests the channel answers itself: `debugger.open`, a debugger in the peer asking for
    /// the console's terminal. Nil for every other request (the peer handler's).
    func answerLocally(_ request: PeerRequest) -> PeerAnswer? {
        guard request.method == "debugger.open" else { return nil }
        switch debugger {
        case .unavailable(let reason):
            return PeerAnswer(result: .failure(PeerError(message: reason, type: "DebuggerUnavailable")))
        case .terminal(let terminal):
            do {
                let path = try terminal.lend(owner: ObjectIdentifier(self), pid: process.programPID)
                return PeerAnswer(result: .success(["tty": .string(path), "history": terminal.historyFile.map(JSONValue.string) ?? .null]))
            } catch {
                return PeerAnswer(result: .failure(error))
            }
        }
    }

    /// A debugger in the peer stopped at its prompt (the time limit waits), resumed (it runs again
    /// with the time that was left), or is done with the terminal.
    func debuggerEvent(_ params: JSONValue, heard: inout Heard) {
        switch params["event"]?.stringValue {
        case "stopped":
            guard heard.paused == nil else { return }
            heard.paused = .some(heard.deadline.map { $0 - ContinuousClock.now })
            heard.deadline = nil
        case "resumed":
            guard let left = heard.paused else { return }
            heard.deadline = left.map { ContinuousClock.now + max($0, .zero) }
            heard.paused = nil
        case "closed":
            debugger.terminal?.takeBack(owner: ObjectIdentifier(self))
        default:
            break
        }
    }

    /// The conversation is over: a debugger session the peer left open (it crashed, was stopped, or
    /// the request was cancelled) gives the terminal back.
    func endDebugging() {
        guard let terminal = debugger.terminal, terminal.isLent else { return }
        terminal.takeBack(owner: ObjectIdentifier(self))
    }

    /// The `"id":N` of a message that could not be parsed whole, if one can be seen in its text (the
    /// last one: a value inside `result` may contain the same key).
    static func answerID(in raw: Data) -> Int? {
        let marker = Array(#""id":"#.utf8)
        guard let found = raw.lastRange(of: Data(marker)) else { return nil }
        var digits = raw[found.upperBound...].drop { $0 == 0x20 }.prefix { (0x30...0x39).contains($0) }
        if digits.count > 18 { digits = digits.prefix(18) }
        return Int(String(decoding: digits, as: UTF8.self))
    }
}

extension JSONValue {
    /// Parses JSON held in `Data` without copying it into an array first.
    static func parse(data: Data) throws(JSONParseError) -> JSONValue {
        let result = data.withUnsafeBytes { raw in
            Result { () throws(JSONParseError) in try JSONValue.parse(bytes: raw.bindMemory(to: UInt8.self)) }
        }
        return try result.get()
    }
}
