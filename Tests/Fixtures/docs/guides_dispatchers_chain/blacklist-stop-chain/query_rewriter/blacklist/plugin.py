from dagstack.plugin_system import STOP_CHAIN

class Blacklist:
    """Blocks queries containing forbidden words — returns STOP_CHAIN."""

    BANNED = {"delete_database", "rm -rf"}

    async def setup(self, ctx):
        pass

    def rewrite(self, ctx, query):
        if any(bad in query["text"].lower() for bad in self.BANNED):
            return STOP_CHAIN  # subsequent plugins are not invoked
        return query
