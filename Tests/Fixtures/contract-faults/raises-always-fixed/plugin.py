class RaisesAlways:
    def work(self, ctx, x):
        return {"x": x}
