"""An MCP server with one tool, written with the official Python SDK (`mcp` on PyPI). Any MCP client
can use it; the dagstack console runs it as the `rewrite` stage of a query_rewriter chain."""
import warnings

from mcp.server.mcpserver import Context, MCPServer

# This SDK version marks the logging capability deprecated (SEP-2577) while still sending it.
warnings.simplefilter("ignore")

FIXES = {"dagstak": "dagstack", "lanuch": "launch", "teh": "the"}

server = MCPServer("spelling")


@server.tool()
async def fix_spelling(query: dict, ctx: Context) -> dict:
    """Replaces known misspellings in query["text"]."""
    words = query["text"].split(" ")
    fixed = []
    for word in words:
        core = word.rstrip("?!.,;:")
        fixed.append(FIXES.get(core.lower(), core) + word[len(core):])
    changed = sum(1 for a, b in zip(words, fixed) if a != b)
    await ctx.info(f"fixed {changed} word(s)")
    return {**query, "text": " ".join(fixed)}


if __name__ == "__main__":
    server.run()
