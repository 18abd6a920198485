"""Minimal plugin speaking the console's mcp_stdio protocol (docs/stdio-protocol.md). Stub: the docs name a module to
run but never show it. Answers initialize, the `complete` and `environment` hooks, and shutdown."""
import json
import os
import sys


def answer(req, result):
    sys.stdout.write(json.dumps({"jsonrpc": "2.0", "result": result, "id": req["id"]}) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    req = json.loads(line)
    method, params = req.get("method"), req.get("params") or {}
    if method == "initialize":
        answer(req, {"hooks": ["complete", "environment"], "server_info": {"name": os.path.basename(os.getcwd())}})
    elif method == "complete":
        prompt = params.get("prompt") or (params.get("_args") or [{}])[0].get("prompt", "")
        answer(req, {"text": "stdio: " + prompt, "tokens_used": len(prompt)})
    elif method == "environment":
        answer(req, {"cwd_name": os.path.basename(os.getcwd()), "has_PATH": "PATH" in os.environ,
                     "PYTHONUNBUFFERED": os.environ.get("PYTHONUNBUFFERED")})
    elif method == "shutdown":
        answer(req, None)
        break
    else:
        sys.stdout.write(json.dumps({"jsonrpc": "2.0", "error": {"code": -32601, "message": "no method " + str(method)}, "id": req.get("id")}) + "\n")
        sys.stdout.flush()
