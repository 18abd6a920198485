class LocalConsumer:
    async def setup(self, ctx):
        print("setup local-consumer")
