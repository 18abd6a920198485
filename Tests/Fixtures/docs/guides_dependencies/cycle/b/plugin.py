class B:
    async def setup(self, ctx):
        pass
