class RaisesAlways:
    def work(self, ctx, x):
        raise ValueError(f"cannot work on {x}")
