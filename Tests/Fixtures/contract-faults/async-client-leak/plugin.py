import asyncio


class AsyncClientLeak:
    """Connects an async client in set-up (to a local server it starts, standing in for a
    service); teardown closes the server but forgets the client."""

    async def setup(self, ctx):
        self.served = asyncio.Event()
        self.server = await asyncio.start_server(self.serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", port)

    async def serve(self, reader, writer):
        await reader.read()
        writer.close()
        await writer.wait_closed()
        self.served.set()

    async def teardown(self):
        self.server.close()  # forgets self.writer.close()

    def work(self, ctx, x):
        return {"x": x}
