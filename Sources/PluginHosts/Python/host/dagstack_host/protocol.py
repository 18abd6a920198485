"""The request loop: newline-delimited JSON-RPC 2.0 on the stdin/stdout the host was started with.

Plugin code never sees those descriptors: `main` moves them aside first, points fd 0 at /dev/null and
fd 1 at stderr, so a plugin writing straight to file descriptor 1 cannot corrupt the protocol."""
import json
import os
import sys

from . import capture
from .methods import METHODS, error, error_kind

PROTOCOL_OUT = None


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
    PROTOCOL_OUT.write(json.dumps(message, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode() + b"\n")
    PROTOCOL_OUT.flush()


def main():
    protocol_in = take_protocol_streams()
    capture.install_log_handler()
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
