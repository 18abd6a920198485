class Broken:
    async def setup(self, ctx):
        raise ConnectionError("database unreachable")

    def ping(self):
        return "broken"
