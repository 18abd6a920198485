class Main:
    async def setup(self, ctx):
        print("setup main")
