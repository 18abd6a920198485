import os
import tempfile


class LeaksFile:
    def setup(self, ctx):
        self.path = os.path.join(tempfile.gettempdir(), f"dagstack-contract-leaks-file-{os.getpid()}.log")
        self.log = open(self.path, "w")

    def teardown(self):
        os.unlink(self.path)  # forgets self.log.close()

    def work(self, ctx, x):
        return {"x": x}
