class InputHashRewrites:
    def work(self, ctx, tenant_id, x):
        result = {"tenant_id": tenant_id, "square": x * x}
        ctx.checkpoint.save(f"{tenant_id}/{x}", result)  # written again on every run
        return result
