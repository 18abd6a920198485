class AuditLogger:
    async def setup(self, ctx):
        self._logger = ctx.logger

    def on_request_started(self, ctx, request_id, path, actor):
        self._logger.info("request started",
                          extra={"request_id": request_id, "actor": actor})

    def on_request_finished(self, ctx, request_id, duration_ms):
        self._logger.info("request finished",
                          extra={"request_id": request_id, "duration_ms": duration_ms})
