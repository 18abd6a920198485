class Local:
    async def setup(self, ctx):
        print("setup local")
