class Hangs:
    def work(self, ctx, x):
        return {"x": x}
