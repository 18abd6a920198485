"""An MCP server written with the official Python SDK (`mcp` on PyPI), for tests: a chain stage
tool and a few misbehaving ones. `python sdk_server.py` serves stdio; `python sdk_server.py http PORT`
serves Streamable HTTP on 127.0.0.1:PORT (`/mcp`) and exits when its stdin closes. Other arguments
are ignored (tests pass a marker to find the process by).
"""
import os
import sys
import threading
import warnings

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError

# This SDK marks the logging capability deprecated (SEP-2577) but still sends the notifications,
# which the tests look for; its warnings would only add stderr lines to every trace.
warnings.simplefilter("ignore")

server = MCPServer("sdk-test-server")


@server.tool()
async def normalize_query(query: dict, ctx: Context) -> dict:
    """Lower-cases and trims the query's text."""
    await ctx.info(f"normalizing {len(query.get('text', ''))} characters")
    return {**query, "text": query["text"].strip().lower()}


@server.tool()
def add(a: int, b: int) -> int:
    """Adds two integers."""
    return a + b


@server.tool()
def shout(text: str) -> str:
    """Upper-cases a text (a plain string result)."""
    return text.upper()


@server.tool()
def refuse(reason: str) -> str:
    """Always fails with the reason."""
    raise ToolError(f"refused: {reason}")


@server.tool()
def crash(query: dict) -> dict:
    """Exits the server in the middle of the call."""
    sys.stderr.write("crashing on purpose\n")
    sys.stderr.flush()
    os._exit(3)


if len(sys.argv) > 2 and sys.argv[1] == "http":
    def watch_stdin():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    server.run(transport="streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
else:
    server.run()
