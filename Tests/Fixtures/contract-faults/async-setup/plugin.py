import asyncio


class AsyncSetup:
    async def setup(self, ctx):
        await asyncio.sleep(0)
        self.ticker = asyncio.create_task(asyncio.sleep(3600))

    async def teardown(self):
        self.ticker.cancel()
        try:
            await self.ticker
        except asyncio.CancelledError:
            pass

    def work(self, ctx, x):
        return {"x": x}
