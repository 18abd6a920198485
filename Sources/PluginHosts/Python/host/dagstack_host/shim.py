"""What plugin code imports as `dagstack.plugin_system`: the real package when it is installed,
else a module with the names the seeds and the docs use."""
import sys
import types

from . import context


class StopChainType:
    """The chain's stop sentinel: one instance, falsy, compared by identity (as the reference's)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self):
        return "STOP_CHAIN"

    def __bool__(self):
        return False


MIDDLEWARE_PRIORITY_THRESHOLD = 1000


class PluginRegistryError(Exception):
    """The reference's base class of the registry's errors (reference/errors)."""


ERROR_NAMES = ("ManifestInvalid", "VersionIncompatible", "KindUnknown", "AmbiguousPlugin", "RuntimeNotSupported",
               "PluginLoadError", "DependencyCycle", "TeardownErrors", "BroadcastErrors", "DispatchMismatch",
               "NoCapabilityMatch", "LeakDetected")
ERRORS = {name: type(name, (PluginRegistryError,), {"__module__": "dagstack.plugin_system"}) for name in ERROR_NAMES}

EXPORTED = (
    context.SystemClock, context.FrozenClock, context.RandomRng, context.DeterministicRng, context.PluginContext,
    context.ResourceRegistry, context.ResourceContainer,
)


def install():
    """Returns the plugin-system module plugin code will import, registering the shim if the real
    package is absent. Idempotent: the shim is built once."""
    existing = sys.modules.get("dagstack.plugin_system")
    if existing is not None:
        return existing
    try:
        import dagstack.plugin_system as real

        return real
    except ImportError:
        pass
    dagstack = sys.modules.get("dagstack") or types.ModuleType("dagstack")
    dagstack.__path__ = []
    shim = types.ModuleType("dagstack.plugin_system")
    shim.STOP_CHAIN = StopChainType()
    shim.MIDDLEWARE_PRIORITY_THRESHOLD = MIDDLEWARE_PRIORITY_THRESHOLD
    for cls in EXPORTED:
        setattr(shim, cls.__name__, cls)
    shim.Clock = context.SystemClock
    shim.Rng = context.RandomRng
    shim.PluginRegistryError = PluginRegistryError
    for name, cls in ERRORS.items():
        setattr(shim, name, cls)
    shim.__all__ = [n for n in vars(shim) if not n.startswith("_")]
    dagstack.plugin_system = shim
    sys.modules["dagstack"] = dagstack
    sys.modules["dagstack.plugin_system"] = shim
    return shim


PLUGIN_SYSTEM = install()
STOP_CHAIN = PLUGIN_SYSTEM.STOP_CHAIN
