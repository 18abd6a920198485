"""A JSON-RPC over HTTP service in the dialect of the reference's MCPHttpAdapter, for tests.

Listens on 127.0.0.1 (an ephemeral port, printed as `PORT <n>` on stdout), keeps connections alive
(HTTP/1.1), appends one JSON line per request to the file given with --log (method, id, the
Authorization header, the client's port), and exits when its stdin closes, so it never outlives
the test that started it. With --tls CERT KEY it serves HTTPS.

Methods: initialize, shutdown, rewrite (a chain stage: fixes "dagstak"), flaky (503 twice per id,
then 200), down (always 503), slow (answers after 3 s), garbage (a 200 that is not JSON),
fail (a JSON-RPC error), leak (a JSON-RPC error whose message repeats the Authorization header),
notfound (HTTP 404).
"""
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = sys.argv[1:]
log_path = args[args.index("--log") + 1] if "--log" in args else None
tls = (args[args.index("--tls") + 1], args[args.index("--tls") + 2]) if "--tls" in args else None
HOOKS = ["rewrite", "flaky", "down", "slow", "garbage", "fail", "leak", "notfound"]
attempts = {}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The status line and headers, then the body, as two small writes: without this the body waits
    # for the client's delayed ACK (40 ms) on a kept-alive connection.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def result(self, request, value):
        self.reply(200, json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": value}))

    def error(self, request, code, message, data=None):
        error = {"code": code, "message": message}
        if data is not None:
            error["data"] = data
        self.reply(200, json.dumps({"jsonrpc": "2.0", "id": request["id"], "error": error}))

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        request = json.loads(body)
        method, rid = request["method"], request["id"]
        with lock:
            attempts[(method, rid)] = attempts.get((method, rid), 0) + 1
            attempt = attempts[(method, rid)]
            if log_path:
                with open(log_path, "a") as log:
                    log.write(json.dumps({
                        "method": method, "id": rid, "attempt": attempt, "port": self.client_address[1],
                        "authorization": self.headers.get("Authorization"), "x_team": self.headers.get("X-Team"),
                        "params": request.get("params"),
                    }) + "\n")
        params = request.get("params", {})
        if method == "initialize":
            self.result(request, {"server_info": {"name": "test-http", "version": "1.0"}, "hooks": HOOKS})
        elif method == "shutdown":
            self.result(request, None)
        elif method == "rewrite":
            query = (params.get("_args") or [params.get("query")])[0]
            self.result(request, {**query, "text": query["text"].replace("dagstak", "dagstack"), "rewritten_by": "remote"})
        elif method == "flaky":
            if attempt <= 2:
                self.reply(503, "busy", "text/plain")
            else:
                self.result(request, {"attempt": attempt})
        elif method == "down":
            self.reply(503, "busy", "text/plain")
        elif method == "slow":
            time.sleep(3)
            self.result(request, "late")
        elif method == "garbage":
            self.reply(200, "<html>not json</html>", "text/html")
        elif method == "fail":
            self.error(request, -32000, "max_size must be positive", {"type": "ValueError"})
        elif method == "leak":
            self.error(request, -32001, "refused credentials " + str(self.headers.get("Authorization")))
        elif method == "notfound":
            self.reply(404, "no such method here", "text/plain")
        else:
            self.error(request, -32601, "method not found: " + method)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
if tls:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls[0], tls[1])
    server.socket = context.wrap_socket(server.socket, server_side=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
print("PORT", server.server_address[1], flush=True)
sys.stdin.read()  # until the test closes it (or dies)
os._exit(0)
