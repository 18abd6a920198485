class UserStore:
    async def setup(self, ctx):
        print("setup user-store")

    async def teardown(self):
        print("teardown user-store")
