class TeardownRaises:
    def teardown(self):
        raise RuntimeError("could not flush")

    def work(self, ctx, value):
        return value
