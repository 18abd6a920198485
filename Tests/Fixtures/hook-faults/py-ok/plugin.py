COUNT = {"calls": 0}


class Steady:
    async def setup(self, ctx):
        self.ready = True

    async def ping(self, ctx, value):
        COUNT["calls"] += 1
        return {"pong": value, "calls": COUNT["calls"]}
