class LoudBusiness:
    def work(self, ctx, x):
        return {"x": x}
