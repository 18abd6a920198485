class ResumeLosesResults:
    def work(self, ctx, tenant_id, items):
        state, _ = ctx.checkpoint.load(tenant_id)
        start = state["next"] if state else 0
        done = []  # the results so far are not in the checkpoint: a resumed run loses them
        for i in range(start, len(items)):
            done.append(items[i] * 10)
            ctx.progress.update((i + 1) / len(items) * 100, f"item {i + 1}")
            ctx.checkpoint.save(tenant_id, {"next": i + 1})
        return {"tenant_id": tenant_id, "results": done}
