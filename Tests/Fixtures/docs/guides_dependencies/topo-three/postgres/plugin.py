class Postgres:
    async def setup(self, ctx):
        print("setup postgres")

    async def teardown(self):
        print("teardown postgres")
