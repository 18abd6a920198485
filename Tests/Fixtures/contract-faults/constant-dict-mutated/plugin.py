SQUARES = {1: 1, 2: 4}


class ConstantDict:
    def work(self, ctx, x):
        SQUARES[x * 10] = (x * 10) ** 2  # a "constant" used as a cache
        return {"x": x, "tenfold": SQUARES[x * 10]}
