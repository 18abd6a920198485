class GlobalDict:
    def setup(self, ctx):
        self.seen = {}

    def work(self, ctx, x):
        self.seen[x] = self.seen.get(x, 0) + 1
        return {"x": x}
