import threading


class LeaksThread:
    def setup(self, ctx):
        self.stop = threading.Event()
        self.worker = threading.Thread(target=self.stop.wait, name="heartbeat", daemon=True)
        self.worker.start()

    def teardown(self):
        self.stop.set()
        self.worker.join()

    def work(self, ctx, x):
        return {"x": x}
