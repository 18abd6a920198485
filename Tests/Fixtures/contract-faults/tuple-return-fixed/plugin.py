class TupleReturn:
    def work(self, ctx, x):
        return {"pair": [x, x + 1]}
