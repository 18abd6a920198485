import os
import tempfile


class LeaksFile:
    def setup(self, ctx):
        self.path = os.path.join(tempfile.gettempdir(), f"dagstack-contract-leaks-file-fixed-{os.getpid()}.log")
        self.log = open(self.path, "w")

    def teardown(self):
        self.log.close()
        os.unlink(self.path)

    def work(self, ctx, x):
        return {"x": x}
