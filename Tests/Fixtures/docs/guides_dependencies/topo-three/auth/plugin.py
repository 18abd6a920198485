class Auth:
    async def setup(self, ctx):
        print("setup auth")

    async def teardown(self):
        print("teardown auth")
