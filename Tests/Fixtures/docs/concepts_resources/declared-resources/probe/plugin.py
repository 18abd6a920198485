class ResourceProbe:
    """DERIVED: reports which declared resources were injected."""

    def setup(self, ctx):
        self._r = ctx.resources

    def probe(self):
        names = ["http_client", "clock", "blob_store", "rng"]
        return {n: getattr(self._r, n) is not None for n in names}
