class SetupRaises:
    async def setup(self, ctx):
        raise ConnectionError("database unreachable")

    def work(self, ctx, value):
        return value
