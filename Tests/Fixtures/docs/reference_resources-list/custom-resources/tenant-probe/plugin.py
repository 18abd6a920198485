class TenantProbe:
    async def setup(self, ctx):
        self._tenants = ctx.resources.tenant_registry
        self._via_get = await ctx.resources.get("tenant_registry")

    def lookup(self, tenant_id):
        return {"plan": self._tenants[tenant_id]["plan"], "same_object": self._via_get == self._tenants}
