import threading


class LeaksThread:
    def setup(self, ctx):
        self.stop = threading.Event()
        self.worker = threading.Thread(target=self.stop.wait, name="heartbeat", daemon=True)
        self.worker.start()

    def teardown(self):
        pass  # forgets to stop and join the thread

    def work(self, ctx, x):
        return {"x": x}
