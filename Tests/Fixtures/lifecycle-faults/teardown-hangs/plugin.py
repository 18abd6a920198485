import asyncio


class TeardownHangs:
    async def teardown(self):
        await asyncio.sleep(3600)

    def work(self, ctx, value):
        return value
