class Watcher:
    def before(self, ctx, kind, name, hook, args):
        value = args["args"][0]
        if value.get("pause_middleware") and name == "capitalize":
            breakpoint()
        return None

    def after(self, ctx, kind, name, hook, result):
        return None
