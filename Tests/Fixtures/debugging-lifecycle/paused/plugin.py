class Paused:
    def setup(self, ctx):
        phase = "setup"
        breakpoint()
        self.ready = True

    def rewrite(self, query):
        return query

    def teardown(self):
        phase = "teardown"
        breakpoint()
