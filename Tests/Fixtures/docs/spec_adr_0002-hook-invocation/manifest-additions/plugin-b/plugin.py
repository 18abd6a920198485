class PluginB:
    async def setup(self, ctx):
        print("setup plugin-b")
