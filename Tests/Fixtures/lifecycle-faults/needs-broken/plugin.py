class NeedsBroken:
    def work(self, ctx, value):
        return value
