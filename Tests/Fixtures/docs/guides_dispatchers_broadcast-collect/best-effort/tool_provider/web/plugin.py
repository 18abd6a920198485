class WebToolProvider:
    async def setup(self, ctx):
        pass

    def list_tools(self):
        return [
            {"name": "http_get", "description": "Fetch a page"},
            {"name": "search", "description": "Search the web"},
        ]
