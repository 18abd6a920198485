import time


class SetupHangs:
    def setup(self, ctx):
        time.sleep(3600)

    def work(self, ctx, value):
        return value
