class RustChunker:
    """DERIVED: the page names it; no matches() — routing is by supports_languages alone."""

    def chunk(self, ctx, payload: dict) -> dict:
        return {"chunks": [{"text": payload["content"], "line_start": 0}]}
