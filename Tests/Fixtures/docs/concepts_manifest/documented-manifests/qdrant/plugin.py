# stub (not from the page): the page shows the manifest only
class QdrantStore:
    async def setup(self, ctx):
        pass

    def ping(self):
        return "pong"
