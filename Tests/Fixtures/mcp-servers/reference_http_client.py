"""Drives the Python reference's MCPHttpAdapter (dagstack-plugin-system 0.4.1) against a URL:
start (initialize), each method given on the command line called with the params a chain stage
gets, then stop (shutdown). Prints one JSON line per call: {"method", "result"} or {"method",
"error": <exception type>, "message"}. Usage: reference_http_client.py URL TOKEN TIMEOUT METHOD...
"""
import asyncio
import json
import sys

from dagstack.plugin_system import MCPHttpAdapter


async def main():
    url, token, timeout, methods = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4:]
    adapter = MCPHttpAdapter(url, timeout=timeout, headers={"Authorization": f"Bearer {token}"})
    try:
        await adapter.start()
    except Exception as exc:
        print(json.dumps({"method": "initialize", "error": type(exc).__name__, "message": str(exc)}), flush=True)
        return
    for method in methods:
        params = {"_args": [{"text": "how to launch dagstak?"}]}
        try:
            print(json.dumps({"method": method, "result": await adapter.call(method, params)}), flush=True)
        except Exception as exc:
            print(json.dumps({"method": method, "error": type(exc).__name__, "message": str(exc)}), flush=True)
    await adapter.stop()


asyncio.run(main())
