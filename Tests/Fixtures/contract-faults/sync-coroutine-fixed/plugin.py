import asyncio


class SyncCoroutine:
    async def work(self, ctx, x):
        await asyncio.sleep(0)
        return {"x": x}
