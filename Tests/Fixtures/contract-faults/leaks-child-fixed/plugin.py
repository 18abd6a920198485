import subprocess


class LeaksChild:
    def setup(self, ctx):
        self.worker = subprocess.Popen(["sleep", "300"])

    def teardown(self):
        self.worker.terminate()
        self.worker.wait()

    def work(self, ctx, x):
        return {"x": x}
