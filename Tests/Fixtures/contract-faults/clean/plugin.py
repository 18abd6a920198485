class Clean:
    async def setup(self, ctx):
        self.offset = 10

    def work(self, ctx, x):
        return {"x": x + self.offset, "seed": ctx.resources.rng.randint(1, 6)}
