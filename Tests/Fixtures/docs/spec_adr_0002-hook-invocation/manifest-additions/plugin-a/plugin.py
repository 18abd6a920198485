class PluginA:
    async def setup(self, ctx):
        print("setup plugin-a")
