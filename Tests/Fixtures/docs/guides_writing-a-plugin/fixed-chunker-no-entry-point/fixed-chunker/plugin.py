from dataclasses import dataclass
from dagstack.plugin_system import PluginContext


@dataclass
class Chunk:
    text: str
    offset: int


class FixedChunker:
    """Splits the input text into fragments of exactly max_size characters."""

    async def setup(self, context: PluginContext) -> None:
        self._clock = context.resources.clock

    def chunk(self, text: str, max_size: int = 512) -> list[Chunk]:
        if max_size <= 0:
            raise ValueError("max_size must be positive")
        return [
            Chunk(text=text[i : i + max_size], offset=i)
            for i in range(0, len(text), max_size)
        ]

    async def teardown(self) -> None:
        pass
