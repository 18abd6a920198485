class MetricsExporter:
    async def setup(self, ctx):
        # Resources injected at setup time; `ctx.resources.<name>` is
        # the synchronous attribute form of the `Resources` Protocol
        # (the async `await ctx.resources.get(name)` form is also OK).
        self._counters = ctx.resources.metrics_counter

    def on_request_started(self, ctx, request_id, path, actor):
        self._counters.inc("requests_started_total", labels={"path": path})

    def on_request_finished(self, ctx, request_id, duration_ms):
        self._counters.inc("requests_finished_total")
        # And: we return nothing — fire-and-forget.

    def on_request_failed(self, ctx, request_id, code):
        self._counters.inc("requests_failed_total", labels={"error_code": code})
