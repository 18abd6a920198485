class Dependent:
    async def setup(self, ctx):
        print("setup dependent")

    def ping(self):
        return "dependent"
