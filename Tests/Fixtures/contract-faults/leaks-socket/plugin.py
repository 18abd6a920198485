import socket


class LeaksSocket:
    def setup(self, ctx):
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()

    def teardown(self):
        pass  # forgets self.server.close()

    def work(self, ctx, x):
        return {"x": x}
