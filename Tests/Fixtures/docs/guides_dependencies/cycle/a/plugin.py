class A:
    async def setup(self, ctx):
        pass
