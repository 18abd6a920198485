# --- stub (not from the page): the page imports `tree_sitter` (not installed here) and uses PYTHON_LANG, TS_LANG and
# --- _walk_top_level_nodes without defining them. A fake parser: each line starting at column 0 opens a top-level
# --- node; indented lines belong to it. The fake Parser class gets __module__ = "tree_sitter", so it is not a
# --- candidate for entry-point inference (the manifest has no entry_point).
import sys as _stub_sys
import types as _stub_types


def _stub_parse(self, source):
    nodes = []
    for row, line in enumerate(source.decode().split("\n")):
        if line and not line[0].isspace():
            nodes.append(_stub_types.SimpleNamespace(text=line.encode(), start_point=(row, 0)))
        elif line and nodes:
            nodes[-1].text += b"\n" + line.encode()
    return _stub_types.SimpleNamespace(root_node=_stub_types.SimpleNamespace(children=nodes))


_stub_ts = _stub_types.ModuleType("tree_sitter")
_stub_ts.Parser = type("Parser", (), {"__module__": "tree_sitter", "__init__": lambda self, lang=None: None, "parse": _stub_parse})
_stub_sys.modules["tree_sitter"] = _stub_ts
PYTHON_LANG = "python"
TS_LANG = "typescript"


def _walk_top_level_nodes(root):
    return root.children
# --- end stub ---
from tree_sitter import Parser

SUPPORTED_LANGUAGES = {"python", "typescript", "javascript", "go", "java", "ruby"}


class TreeSitterChunker:
    async def setup(self, ctx):
        self._parsers = {
            "python": Parser(PYTHON_LANG),
            "typescript": Parser(TS_LANG),
            # ...
        }

    def matches(self, payload: dict) -> bool:
        # CapabilityDispatcher consults this method to decide whether the plugin
        # can handle the given input.
        return payload.get("language") in SUPPORTED_LANGUAGES

    def chunk(self, ctx, payload: dict) -> dict:
        parser = self._parsers[payload["language"]]
        tree = parser.parse(payload["content"].encode())
        return {
            "chunks": [
                {"text": node.text.decode(), "line_start": node.start_point[0]}
                for node in _walk_top_level_nodes(tree.root_node)
            ],
        }
