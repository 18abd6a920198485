"""A stdio plugin whose children detach from it in the ways shell scripts and servers do."""
import json
import os
import subprocess
import sys

MARK = os.environ.get("ORPHAN_MARK", "86400.0")


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    request = json.loads(line)
    rid, method = request.get("id"), request["method"]
    if method == "initialize":
        send({"jsonrpc": "2.0", "id": rid, "result": {"hooks": ["d_spawn"], "server_info": {"name": "detacher"}}})
    elif method == "shutdown":
        send({"jsonrpc": "2.0", "id": rid, "result": None})
        break
    elif method == "d_spawn":
        script = f"setsid sleep {MARK}4 & (trap '' TERM; sleep {MARK}5) & exit 0"
        subprocess.run(["bash", "-c", script], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.Popen(["sleep", MARK + "6"], start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        send({"jsonrpc": "2.0", "id": rid, "result": "spawned"})
