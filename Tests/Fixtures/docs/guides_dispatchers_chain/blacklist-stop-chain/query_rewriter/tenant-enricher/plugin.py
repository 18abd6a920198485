class TenantEnricher:
    async def setup(self, ctx):
        self._tenant_keywords = ctx.registry.resource_registry.get("tenant_keywords")

    def rewrite(self, ctx, query):
        tenant_id = query.get("tenant_id")
        if tenant_id is None:
            return query
        keywords = self._tenant_keywords.get(tenant_id, [])
        if keywords:
            return {**query, "text": query["text"] + " " + " ".join(keywords)}
        return query
