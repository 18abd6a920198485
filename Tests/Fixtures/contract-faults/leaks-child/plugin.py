import subprocess


class LeaksChild:
    def setup(self, ctx):
        self.worker = subprocess.Popen(["sleep", "300"])

    def teardown(self):
        pass  # forgets to stop the worker

    def work(self, ctx, x):
        return {"x": x}
