SQUARES = {1: 1, 2: 4}


class ConstantDict:
    def work(self, ctx, x):
        return {"x": x, "tenfold": SQUARES.get(x * 10, (x * 10) ** 2)}
