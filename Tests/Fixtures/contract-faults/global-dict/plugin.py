seen = {}


class GlobalDict:
    def work(self, ctx, x):
        seen[x] = seen.get(x, 0) + 1
        return {"x": x}
