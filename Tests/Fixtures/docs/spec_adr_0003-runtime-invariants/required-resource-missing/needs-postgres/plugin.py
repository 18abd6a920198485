class NeedsPostgres:
    async def setup(self, ctx):
        print("setup ran")
        self._pg = ctx.resources.postgres
