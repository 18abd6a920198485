import time


class AsyncBlocking:
    async def work(self, ctx, x):
        time.sleep(0.01)
        return {"x": x}
