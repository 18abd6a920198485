import os


class EnvAtImport:
    def setup(self, ctx):
        self.debug = os.environ.get("DAGSTACK_FIXTURE_DEBUG", "off")

    def work(self, ctx, x):
        return {"x": x, "debug": self.debug}
