import logging

log = logging.getLogger("governance")


class Governance:
    """Horizontal middleware: wraps every hook of every kind (chain_wrap kinds/hooks = "*").

    before/after return None, which leaves the call's arguments and result as they are; returning
    a value would replace them (see docs/middleware.md)."""

    async def setup(self, ctx):
        pass

    def before(self, ctx, kind, name, hook, args):
        log.info("audit: %s.%s -> %s", kind, hook, name)
        return None

    def after(self, ctx, kind, name, hook, result):
        log.info("audit: %s.%s <- %s", kind, hook, name)
        return None
