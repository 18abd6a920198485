# DERIVED plugin
class Tagged:
    async def setup(self, ctx):
        pass

    def ping(self):
        return "pong"
