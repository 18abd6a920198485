class Healthy:
    def work(self, ctx, value):
        return {"healthy": value}
