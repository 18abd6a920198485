class Fine:
    async def setup(self, ctx):
        pass
