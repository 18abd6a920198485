# stub (not from the page): the page shows the manifest only
class SemanticChunker:
    async def setup(self, ctx):
        pass

    def ping(self):
        return "pong"
