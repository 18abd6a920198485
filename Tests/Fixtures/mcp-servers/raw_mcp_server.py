"""A hand-written MCP server over stdio (no SDK), for what the SDK does not make easy to provoke: a
JSON-RPC error answering tools/call, and tools/list in two pages (nextCursor)."""
import json
import sys

TOOLS = [
    {"name": "explode", "inputSchema": {"type": "object", "properties": {"query": {"type": "object"}}, "required": ["query"]}},
    {"name": "echo", "description": "Answers with its arguments as text.", "inputSchema": {"type": "object", "properties": {"value": {}}}},
]

for line in sys.stdin:
    request = json.loads(line)
    if "id" not in request:
        continue  # notifications/initialized
    method, params = request["method"], request.get("params") or {}
    if method == "initialize":
        result = {"protocolVersion": params["protocolVersion"], "capabilities": {"tools": {}},
                  "serverInfo": {"name": "raw", "version": "0.1"}}
    elif method == "tools/list":
        result = {"tools": TOOLS[:1], "nextCursor": "page-2"} if "cursor" not in params else {"tools": TOOLS[1:]}
    elif method == "tools/call" and params["name"] == "explode":
        print(json.dumps({"jsonrpc": "2.0", "id": request["id"], "error": {"code": -32603, "message": "database is down"}}), flush=True)
        continue
    elif method == "tools/call":
        result = {"content": [{"type": "text", "text": json.dumps(params["arguments"])}]}
    else:
        print(json.dumps({"jsonrpc": "2.0", "id": request["id"], "error": {"code": -32601, "message": "Method not found"}}), flush=True)
        continue
    print(json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": result}), flush=True)
