class TimestampedProcessor:
    def setup(self, ctx):
        self._clock = ctx.resources.clock
        self._rng = ctx.resources.rng

    def process(self, data: dict) -> dict:
        return {
            **data,
            "processed_at": self._clock.now().isoformat(),
            "trace_id": f"trace-{self._rng.randint(0, 2**32)}",
        }
