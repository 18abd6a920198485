import random


class RandomOutput:
    def work(self, ctx, x):
        return {"x": x, "noise": random.random()}
