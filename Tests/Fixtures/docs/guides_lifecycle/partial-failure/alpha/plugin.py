class Alpha:
    async def setup(self, ctx):
        print("setup alpha")

    async def teardown(self):
        print("teardown alpha")

    def ping(self):
        return "alpha"
