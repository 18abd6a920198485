"""The request loop: newline-delimited JSON-RPC 2.0 on the stdin/stdout the host was started with.

Plugin code never sees those descriptors: `main` moves them aside first, points fd 0 at /dev/null and
fd 1 at stderr, so a plugin writing straight to file descriptor 1 cannot corrupt the protocol."""
import json
import os
import sys
import threading

from . import capture
from .methods import METHODS, error, error_kind

PROTOCOL_OUT = None
# A plugin's thread may log while the main thread answers: one message at a time on the wire.
SEND_LOCK = threading.Lock()


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


def send(message):
    line = json.dumps(message, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode() + b"\n"
    with SEND_LOCK:
        PROTOCOL_OUT.write(line)
        PROTOCOL_OUT.flush()


def send_output(entry):
    """A line a plugin wrote, sent as it is written: if the call never answers (it hangs, or the
    interpreter dies), the console still has it. When the call answers, its result carries the same
    lines and the console keeps those."""
    send({"jsonrpc": "2.0", "method": "output", "params": entry})


def main():
    protocol_in = take_protocol_streams()
    capture.install_log_handler()
    capture.SINK = send_output
    send({"jsonrpc": "2.0", "method": "ready", "params": {"python": sys.version.split()[0]}})
    for raw in protocol_in:
        try:
            request = json.loads(raw)
        except ValueError:
            continue
        rid, method = request.get("id"), request.get("method")
        if method == "shutdown":
            send({"jsonrpc": "2.0", "result": None, "id": rid})
            break
        handler = METHODS.get(method)
        if handler is None:
            send({"jsonrpc": "2.0", "error": {"code": -32601, "message": f"unknown method {method!r}"}, "id": rid})
            continue
        try:
            send({"jsonrpc": "2.0", "result": handler(request.get("params") or {}), "id": rid})
        except BaseException as exc:  # plugin code may raise anything, SystemExit included
            send({"jsonrpc": "2.0", "error": error(exc, error_kind(exc)), "id": rid})
            capture.clear()
            if isinstance(exc, KeyboardInterrupt):
                break
