# DERIVED consumer: the page's troubleshooting rows describe get_plugin failures inside setup.
class SearchService:
    async def setup(self, ctx):
        self._embedder = ctx.registry.get_plugin("embedder")

    def which(self):
        return type(self._embedder).__name__
