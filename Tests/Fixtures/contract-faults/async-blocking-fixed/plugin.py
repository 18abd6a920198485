import asyncio


class AsyncBlocking:
    async def work(self, ctx, x):
        await asyncio.sleep(0.01)
        return {"x": x}
