import asyncio


class LeaksTask:
    async def setup(self, ctx):
        await asyncio.sleep(0)
        self.ticker = asyncio.create_task(asyncio.sleep(3600))

    async def teardown(self):
        pass  # forgets to cancel the task

    def work(self, ctx, x):
        return {"x": x}
