import os


class EnvInHook:
    def work(self, ctx, x):
        return {"x": x, "debug": os.environ.get("DAGSTACK_FIXTURE_DEBUG", "off")}
