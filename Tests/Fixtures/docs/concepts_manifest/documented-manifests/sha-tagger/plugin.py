# stub (not from the page): the page shows the manifest only
class ShaTagger:
    async def setup(self, ctx):
        self._clock = ctx.resources.clock
        self._rng = ctx.resources.rng
        self._blobs = ctx.resources.blob_store
