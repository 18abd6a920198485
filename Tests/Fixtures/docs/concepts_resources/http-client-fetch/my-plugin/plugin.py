class MyPlugin:
    def setup(self, ctx):
        self._http = ctx.resources.http_client

    async def fetch(self, url: str) -> dict:
        response = await self._http.get(url)
        response.raise_for_status()
        return response.json()
