"""The request loop: newline-delimited JSON-RPC 2.0 on the stdin/stdout the host was started with.

Plugin code never sees those descriptors: `main` moves them aside first, points fd 0 at /dev/null and
fd 1 at stderr, so a plugin writing straight to file descriptor 1 cannot corrupt the protocol."""
import faulthandler
import json
import os
import sys
import threading

from . import capture, debugger, integrity, methods, stuck
from .methods import METHODS, error, error_kind

PROTOCOL_OUT = None
# A plugin's thread may log while the main thread answers: one message at a time on the wire.
SEND_LOCK = threading.Lock()

# The host's own JSON functions, taken before any plugin runs: a plugin that replaces json.dumps or
# json.loads cannot break the channel (see `integrity`).
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
_ENCODE_ASCII = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode
_DECODE = json.JSONDecoder().decode

PROTOCOL_IN = None
_next_request = 0


class ConsoleRequestError(Exception):
    """The console answered a request of this host with an error: `type` is the error's name
    (KindUnknown, AmbiguousPlugin, a plugin's exception type...)."""

    def __init__(self, error):
        data = error.get("data") or {}
        super().__init__(error.get("message") or "the console refused the request")
        self.type = data.get("type") or "ConsoleError"
        self.data = data


class ConsoleGone(Exception):
    pass


def take_protocol_streams():
    """Moves the protocol off fds 0 and 1 (buffered: an unbuffered file would read each request one
    byte per system call) and returns the input stream."""
    global PROTOCOL_OUT
    protocol_in = os.fdopen(os.dup(0), "rb")
    PROTOCOL_OUT = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull)
    sys.stdout = sys.__stdout__ = open(1, "w", closefd=False)
    return protocol_in


def encode(message):
    """The message as one line of UTF-8. Text a plugin printed or raised with a lone surrogate (which
    UTF-8 cannot carry) goes escaped, and arrives as U+FFFD; values with one are refused earlier, by
    `values.to_json`, naming their path."""
    try:
        return _ENCODE(message).encode("utf-8")
    except UnicodeEncodeError:
        return _ENCODE_ASCII(message).encode("ascii")


def send(message):
    line = encode(message) + b"\n"
    with SEND_LOCK:
        PROTOCOL_OUT.write(line)
        PROTOCOL_OUT.flush()


# Every `output` notification starts with these bytes, which the console matches without parsing
# the rest unless the call never answers.
OUTPUT_PREFIX = b'{"jsonrpc":"2.0","method":"output","params":'


def send_output(entry):
    """A line a plugin wrote, sent as it is written: if the call never answers (it hangs, or the
    interpreter dies), the console still has it. When the call answers, its result carries the same
    lines and the console keeps those: this costs a write per line, nothing more."""
    line = OUTPUT_PREFIX + encode(entry) + b"}\n"
    with SEND_LOCK:
        PROTOCOL_OUT.write(line)
        PROTOCOL_OUT.flush()


def announce(method, params):
    """A notification to the console (no answer expected), e.g. which plugin is being imported."""
    send({"jsonrpc": "2.0", "method": method, "params": params})


def call_console(method, params):
    """A request from plugin code to the console (ctx.registry.get_plugin, a proxied hook, the http
    client...), made while the console waits for this host's answer to its own request. Requests the
    console sends meanwhile (a nested call into this interpreter) are answered here, in order."""
    global _next_request
    _next_request += 1
    rid = f"host-{_next_request}"
    send({"jsonrpc": "2.0", "method": method, "params": params, "id": rid})
    while True:
        raw = PROTOCOL_IN.readline()
        if not raw:
            raise ConsoleGone(f"the console closed the connection during {method}")
        try:
            message = _DECODE(raw.decode("utf-8"))
        except ValueError:
            continue
        if message.get("method") is not None:
            if answer(message):
                raise ConsoleGone(f"the console stopped this host during {method}")
            continue
        if message.get("id") != rid:
            continue
        if message.get("error") is not None:
            raise ConsoleRequestError(message["error"])
        return message.get("result")


def keep_output_at_exit():
    """A plugin that ends the interpreter with os._exit sends what it wrote first."""
    real_exit = os._exit

    def exit_after_output(status):
        try:
            capture.stream_unsent(force=True)
        finally:
            real_exit(status)

    os._exit = exit_after_output


def main():
    global PROTOCOL_IN
    protocol_in = PROTOCOL_IN = take_protocol_streams()
    # A plugin that crashes the interpreter (a C extension's segfault, an abort) gets the Python stack
    # it crashed in written to stderr, which the console shows with the crash: its file and line.
    faulthandler.enable(file=sys.stderr, all_threads=False)
    capture.install_log_handler()
    capture.SINK = send_output
    capture.ANNOUNCE = announce
    capture.start_streaming()
    keep_output_at_exit()
    integrity.take_snapshot()
    methods.ANNOUNCE = announce
    debugger.CALL_CONSOLE, debugger.NOTIFY = call_console, announce
    debugger.install()
    where_file = stuck.install(encode)
    send({"jsonrpc": "2.0", "method": "ready", "params": {"python": sys.version.split()[0], "where_file": where_file}})
    while True:
        try:
            if serve(protocol_in):
                break
        except KeyboardInterrupt:
            # A SIGINT a plugin sent itself that landed between requests: nothing to answer.
            continue


def serve(protocol_in):
    """Answers requests until `shutdown` (returns True) or the end of input (returns True). A
    plugin's KeyboardInterrupt or SystemExit is that call's error: the host goes on serving."""
    for raw in protocol_in:
        try:
            request = _DECODE(raw.decode("utf-8"))
        except ValueError:
            continue
        if answer(request):
            return True
    return True


def answer(request):
    """Answers one request of the console; True when it was `shutdown`."""
    rid, method = request.get("id"), request.get("method")
    if method == "shutdown":
        send({"jsonrpc": "2.0", "result": None, "id": rid})
        return True
    handler = METHODS.get(method)
    if handler is None:
        send({"jsonrpc": "2.0", "error": {"code": -32601, "message": f"unknown method {method!r}"}, "id": rid})
        return False
    capture.clear()
    try:
        send({"jsonrpc": "2.0", "result": handler(request.get("params") or {}), "id": rid})
    except BaseException as exc:  # plugin code may raise anything, SystemExit and KeyboardInterrupt included
        send({"jsonrpc": "2.0", "error": error(exc, error_kind(exc)), "id": rid})
        capture.clear()
    return False
