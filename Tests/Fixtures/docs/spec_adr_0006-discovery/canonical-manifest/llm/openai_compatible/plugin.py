# stub (not from the page): the page shows the manifest only
class OpenAIPlugin:
    async def setup(self, ctx):
        self._http = ctx.resources.http_client
