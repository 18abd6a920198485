class RandomOutput:
    def work(self, ctx, x):
        return {"x": x, "noise": ctx.resources.rng.random()}
