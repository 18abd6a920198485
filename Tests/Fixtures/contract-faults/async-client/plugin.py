import asyncio


class AsyncClient:
    """Connects an async client in set-up (to a local server it starts, standing in for a
    service); teardown closes the client, waits for the server's side to finish, closes the server."""

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
        self.writer.close()
        await self.writer.wait_closed()
        await self.served.wait()
        self.server.close()
        await self.server.wait_closed()

    def work(self, ctx, x):
        return {"x": x}
