counter = 0


class GlobalCounter:
    def work(self, ctx, x):
        global counter
        counter += 1
        return {"x": x, "call": counter}
