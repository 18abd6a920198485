class ConfigProbe:
    """DERIVED: returns the config section it was given in set-up."""

    async def setup(self, ctx):
        self._config = ctx.config

    def current(self):
        return self._config
