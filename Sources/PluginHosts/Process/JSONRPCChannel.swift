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

/// Newline-delimited JSON-RPC 2.0 over a child's stdin/stdout, one request at a time. Unlike the
/// reference's adapter, every response is matched to its request `id` (a late answer to a request
/// that timed out is discarded, not taken for the next one), `log` notifications and lines that
/// are not JSON are kept as the call's output instead of breaking the channel.
final class JSONRPCChannel: Sendable {
    let process: ChildProcess
    private let nextID = Mutex(0)
    /// Held for a whole request/response exchange: the wire carries one conversation at a time. A
    /// semaphore, not a mutex: an asynchronous exchange holds it across a hand-off between threads.
    private let conversation = DispatchSemaphore(value: 1)

    /// What the peer sent during the last request that got no answer (it timed out, was cancelled,
    /// or the peer died): its log and output notifications and stray stdout lines, kept for the error.
    private let unanswered = Mutex<[PluginLog]>([])

    init(process: ChildProcess) { self.process = process }

    /// What the peer wrote during the request that just failed, and on its stderr since the last
    /// call (a last line without a newline included): what the user needs to see after a hang or a crash.
    func takeUnansweredOutput() -> [PluginLog] {
        unanswered.withLock { logs in defer { logs.removeAll() }; return logs }
            + process.stderr.drain(includingPartialLine: true).map { PluginLog(stream: "stderr", text: $0) }
    }

    struct Reply {
        var result: JSONValue
        var logs: [PluginLog]
    }

    /// What a notification the peer sends during a request (other than its output) changes: nil
    /// leaves the deadline as it is, a number of seconds starts a new one from now.
    typealias Progress = (_ method: String, _ params: JSONValue) -> Double?

    /// One request and its answer, blocking the calling thread.
    func request(
        _ method: String, params: JSONValue?, timeout: Double?, cancellation: CancellationFlag? = nil, progress: Progress? = nil
    ) throws(RPCFailure) -> Reply {
        conversation.wait()
        defer { conversation.signal() }
        let id = try send(method, params)
        var heard = Heard()
        return try receive(id, deadline: deadline(timeout), cancellation: cancellation, until: nil, progress: progress, heard: &heard)!
    }

    /// One request and its answer from async code: the answer is read right here for up to half a
    /// millisecond (most answers come sooner), and only a slower one is waited for on an I/O thread —
    /// a thread hand-off costs more than a fast plugin takes to answer.
    func exchange(_ method: String, params: JSONValue?, timeout: Double?) async throws(RPCFailure) -> Reply {
        if conversation.wait(timeout: .now()) == .timedOut {
            await BlockingIO.run { [conversation] _ in conversation.wait() }
        }
        defer { conversation.signal() }
        let id = try send(method, params)
        let deadline = deadline(timeout)
        var heard = Heard()
        if let reply = try receive(id, deadline: deadline, cancellation: nil, until: .now + .microseconds(500), heard: &heard) {
            return reply
        }
        let early = heard
        let outcome = await BlockingIO.run { [self] flag in
            Result { () throws(RPCFailure) -> Reply in
                var heard = early
                // Already looked for without sleeping above: this wait may sleep at once.
                return try receive(id, deadline: deadline, cancellation: flag, until: nil, spin: false, heard: &heard)!
            }
        }
        return try outcome.get()
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

    /// What the peer sent while a request waits for its answer.
    struct Heard: Sendable {
        /// Log notifications and stray stdout lines: part of the call's output.
        var logs: [PluginLog] = []
        /// `output` notifications, which repeat what the answer's own logs will hold: they matter only
        /// when no answer comes.
        var streamed: [PluginLog] = []
    }

    /// Reads until the answer to `id`; nil when `until` passes first (the caller goes on waiting
    /// elsewhere, with what it `heard` so far).
    private func receive(
        _ id: Int, deadline: ContinuousClock.Instant?, cancellation: CancellationFlag?, until: ContinuousClock.Instant?,
        spin: Bool = true, progress: Progress? = nil, heard: inout Heard
    ) throws(RPCFailure) -> Reply? {
        var deadline = deadline
        func unanswered(_ failure: RPCFailure, _ kept: Heard) -> RPCFailure {
            self.unanswered.withLock { $0 = kept.logs + kept.streamed }
            return failure
        }
        while true {
            let readUntil = [deadline, until].compactMap { $0 }.min()
            let raw: Data?
            switch Result(catching: { () throws(ChildIOError) in try process.readLine(deadline: readUntil, cancellation: cancellation, spin: spin) }) {
            case .success(let line): raw = line
            case .failure(.timedOut):
                if let until, ContinuousClock.now >= until, deadline.map({ ContinuousClock.now < $0 }) ?? true { return nil }
                throw unanswered(.timedOut, heard)
            case .failure(.cancelled): throw unanswered(.cancelled, heard)
            case .failure(.closed): throw unanswered(.closed, heard)
            case .failure(.tooLarge): throw unanswered(.tooLarge, heard)
            }
            guard let raw else { throw unanswered(RPCFailure.closed, heard) }
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
            if object["id"] == nil, let notification = object["method"]?.stringValue {
                let params = object["params"] ?? .null
                if notification == "log" || notification == "notifications/message" {
                    let text = params["message"]?.stringValue ?? params["data"]?.stringValue ?? params.encoded()
                    heard.logs.append(PluginLog(stream: "log", level: params["level"]?.stringValue?.uppercased(), text: text))
                } else if notification == "output" {
                    heard.streamed.append(PluginLog(
                        stream: params["stream"]?.stringValue ?? "stdout", level: params["level"]?.stringValue, text: params["text"]?.stringValue ?? ""))
                } else if let progress, let seconds = progress(notification, params) {
                    deadline = self.deadline(seconds)
                }
                continue
            }
            guard object["id"]?.intValue == id else { continue }  // a stale answer to an abandoned request
            if let error = object["error"] {
                throw .remote(
                    code: error["code"]?.intValue ?? 0, message: error["message"]?.stringValue ?? error.encoded(), data: error["data"])
            }
            return Reply(result: object["result"] ?? .null, logs: heard.logs)
        }
    }
}

extension JSONRPCChannel {
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
