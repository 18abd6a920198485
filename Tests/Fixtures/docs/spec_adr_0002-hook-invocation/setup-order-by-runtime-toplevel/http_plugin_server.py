"""Loopback JSON-RPC-over-HTTP plugin server for the mcp_http fixtures (stub: the docs show no server).
Usage: python3 http_plugin_server.py PORT. POST a JSON-RPC object to any path; answers initialize, `whoami`
(echoes the request headers it got), `complete`, and shutdown. stdlib only; binds 127.0.0.1."""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        req = json.loads(body or b"{}")
        method, params = req.get("method"), req.get("params") or {}
        if method == "initialize":
            result = {"hooks": ["whoami", "complete"], "server_info": {"name": "http-fixture"}}
        elif method == "whoami":
            result = {"path": self.path, "headers": {k: v for k, v in self.headers.items()}}
        elif method == "complete":
            prompt = params.get("prompt") or (params.get("_args") or [{}])[0].get("prompt", "")
            result = {"text": "http: " + prompt, "tokens_used": len(prompt)}
        elif method == "shutdown":
            result = None
        else:
            return self._send({"jsonrpc": "2.0", "error": {"code": -32601, "message": f"no method {method}"}, "id": req.get("id")})
        self._send({"jsonrpc": "2.0", "result": result, "id": req.get("id")})

    def do_GET(self):  # readiness probe for the test driver
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def _send(self, obj):
        data = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
