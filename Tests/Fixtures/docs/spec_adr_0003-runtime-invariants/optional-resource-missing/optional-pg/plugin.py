class OptionalPostgres:
    async def setup(self, ctx):
        self._pg = ctx.resources.postgres
        self._pg_via_get = await ctx.resources.get("postgres")
        self._http = ctx.resources.http_client

    def report(self):
        return {"postgres_is_none": self._pg is None, "get_is_none": self._pg_via_get is None,
                "http_client_present": self._http is not None}
