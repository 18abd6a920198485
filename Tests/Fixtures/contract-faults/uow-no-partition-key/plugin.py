class UowNoPartitionKey:
    def work(self, ctx, tenant_id, x):
        return {"tenant_id": tenant_id, "x": x}
