# --- stub (not from the page): the page shows only the setup method; the class around it and the import are added.
from dagstack.plugin_system import PluginContext


class CrossEncoderReranker:
# --- end stub ---
    async def setup(self, context: PluginContext) -> None:
        self._embedder = context.registry.get_plugin(
            "embedder", name="openai_compatible",
        )

    # --- stub: a hook so the test can see what get_plugin returned ---
    def rerank(self, ctx, query, documents):
        vectors = self._embedder.embed(texts=[query])
        return {"embedder": type(self._embedder).__name__, "query_vector": vectors[0], "documents": documents}
    # --- end stub ---
