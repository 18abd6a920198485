import time


class Hangs:
    def work(self, ctx, x):
        time.sleep(3600)  # never answers: the call time limit stops it
        return {"x": x}
