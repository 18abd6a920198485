class GlobalCounter:
    def setup(self, ctx):
        self.counter = 0

    def work(self, ctx, x):
        self.counter += 1
        return {"x": x, "call": self.counter}
