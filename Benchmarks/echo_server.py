"""The floor: a minimal newline-delimited JSON-RPC server that answers every request with its params."""
import json
import sys

for line in sys.stdin:
    request = json.loads(line)
    if request.get("method") == "initialize":
        result = {"hooks": ["echo"], "server_info": {"name": "echo"}}
    elif request.get("method") == "shutdown":
        sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": None}) + "\n")
        sys.stdout.flush()
        break
    else:
        params = request.get("params") or {}
        result = (params.get("_args") or [params])[0]
    sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": request.get("id"), "result": result}) + "\n")
    sys.stdout.flush()
