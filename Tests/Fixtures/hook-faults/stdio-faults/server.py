"""A stdio plugin that misbehaves on request: one hook per fault."""
import json
import os
import signal
import subprocess
import sys
import time

HOOKS = ["s_ok", "s_raise", "s_hang", "s_exit", "s_segv", "s_garbage", "s_wrong_id", "s_huge", "s_env",
         "s_grandchild", "s_stderr_flood", "s_spawn_and_exit", "s_not_serialisable", "s_deep", "s_inf", "s_bigint",
         "s_bad_utf8"]


def send_raw(text):
    """An answer as the server writes it, whatever the console makes of it."""
    sys.stdout.buffer.write(text if isinstance(text, bytes) else text.encode())
    sys.stdout.buffer.write(b"\n")
    sys.stdout.flush()


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    request = json.loads(line)
    rid, method, params = request.get("id"), request["method"], request.get("params") or {}
    value = (params.get("_args") or [None])[0]
    if method == "initialize":
        send({"jsonrpc": "2.0", "id": rid, "result": {"hooks": HOOKS, "server_info": {"name": "faults"}}})
    elif method == "shutdown":
        send({"jsonrpc": "2.0", "id": rid, "result": None})
        break
    elif method == "s_ok":
        send({"jsonrpc": "2.0", "id": rid, "result": {"echo": value}})
    elif method == "s_raise":
        send({"jsonrpc": "2.0", "id": rid, "error": {"code": -32000, "message": "refused", "data": {"type": "RuntimeError", "traceback": "Traceback: server.py line 30"}}})
    elif method == "s_hang":
        time.sleep(3600)
    elif method == "s_exit":
        sys.stderr.write("about to exit\n")
        sys.stderr.flush()
        os._exit(7)
    elif method == "s_segv":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif method == "s_garbage":
        sys.stdout.write("this is not json\n")
        send({"jsonrpc": "2.0", "method": "log", "params": {"level": "warning", "message": "logged"}})
        send({"jsonrpc": "2.0", "id": rid, "result": "after garbage"})
    elif method == "s_wrong_id":
        send({"jsonrpc": "2.0", "id": rid + 1000, "result": "for someone else"})
        send({"jsonrpc": "2.0", "id": rid, "result": "mine"})
    elif method == "s_huge":
        send({"jsonrpc": "2.0", "id": rid, "result": "y" * (10 * 1024 * 1024)})
    elif method == "s_env":
        send({"jsonrpc": "2.0", "id": rid, "result": {"mark": os.environ.get("FAULTS_MARK"), "has_path": "PATH" in os.environ, "cwd": os.getcwd()}})
    elif method == "s_grandchild":
        child = subprocess.Popen(["sleep", "3600"])
        send({"jsonrpc": "2.0", "id": rid, "result": child.pid})
    elif method == "s_spawn_and_exit":
        child = subprocess.Popen(["sleep", "3600.9"])
        sys.stderr.write(f"grandchild {child.pid}\n")
        sys.stderr.flush()
        os._exit(9)
    elif method == "s_deep":
        send_raw('{"jsonrpc": "2.0", "id": %d, "result": %s1%s}' % (rid, "[" * 100000, "]" * 100000))
    elif method == "s_inf":
        send_raw('{"jsonrpc": "2.0", "id": %d, "result": {"x": 1e999}}' % rid)
    elif method == "s_bigint":
        send_raw('{"jsonrpc": "2.0", "id": %d, "result": {"n": %s}}' % (rid, "7" * 400))
    elif method == "s_bad_utf8":
        send_raw(b'{"jsonrpc": "2.0", "id": %d, "result": {"text": "caf\xe9"}}' % rid)
    elif method == "s_not_serialisable":
        sys.stdout.write('{"jsonrpc": "2.0", "id": %d, "result": NaN}\n' % rid)
        sys.stdout.flush()
    elif method == "s_stderr_flood":
        for _ in range(2000):
            sys.stderr.write("noise " * 20 + "\n")
        send({"jsonrpc": "2.0", "id": rid, "result": "survived"})
