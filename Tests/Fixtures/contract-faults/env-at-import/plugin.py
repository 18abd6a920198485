import os

DEBUG = os.environ.get("DAGSTACK_FIXTURE_DEBUG", "off")  # read when the module is imported


class EnvAtImport:
    def work(self, ctx, x):
        return {"x": x, "debug": DEBUG}
