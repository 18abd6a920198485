# --- stub (not from the page): `load_policy` ("from a governance-spec binding") is not defined. A function, so
# --- plugin.py still defines only PermissionDenied and GovernanceMiddleware.
import types as _stub_types


def load_policy():
    return _stub_types.SimpleNamespace(allow=lambda actor, tenant_id, kind, name, hook: tenant_id != "blocked-tenant")
# --- end stub ---

from dagstack.plugin_system import PluginContext


class PermissionDenied(Exception):
    """Raised by a governance binding when a policy check rejects the call."""


class GovernanceMiddleware:
    async def setup(self, context: PluginContext) -> None:
        self._policy = load_policy()  # from a governance-spec binding

    def before(self, ctx: PluginContext, kind: str, name: str, hook: str, args: dict) -> dict:
        tenant_id = ctx.metadata.get("tenant_id")
        actor = ctx.metadata.get("actor")
        if tenant_id is None or actor is None:
            # If the governance middleware runs without metadata — silently pass through.
            return args
        if not self._policy.allow(actor, tenant_id, kind, name, hook):
            raise PermissionDenied(
                f"actor={actor.id} tenant={tenant_id} kind={kind} hook={hook}",
            )
        return args

    def after(self, ctx: PluginContext, kind: str, name: str, hook: str, result: object) -> None:
        self._audit_log(ctx=ctx, kind=kind, name=name, hook=hook, result=result)


# --- stub (not from the page): `_audit_log` is called but not defined; attached after the class.
def _stub_audit_log(self, *, ctx, kind, name, hook, result):
    print(f"audit: {kind}.{name}.{hook}")


GovernanceMiddleware._audit_log = _stub_audit_log
# --- end stub ---
