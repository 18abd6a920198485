# Correct: the plugin receives a ready-made client.
class GoodPlugin:
    def setup(self, ctx):
        self.http = ctx.resources.http_client
