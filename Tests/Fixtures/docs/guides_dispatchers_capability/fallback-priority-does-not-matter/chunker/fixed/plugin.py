class FixedChunker:
    """Fallback: splits arbitrary text into fixed-length pieces."""

    async def setup(self, ctx):
        pass

    def matches(self, payload: dict) -> bool:
        # The fallback declares it can handle anything; capability matchers
        # will still pick a more specific plugin first thanks to priority.
        return True

    def chunk(self, ctx, payload: dict) -> dict:
        text = payload["content"]
        size = 512
        chunks = [
            {"text": text[i:i + size], "offset": i}
            for i in range(0, len(text), size)
        ]
        return {"chunks": chunks}
