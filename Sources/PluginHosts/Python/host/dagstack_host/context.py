"""The ctx plugin code receives, and the registry and resources it reaches through it."""
import datetime
import logging

from .sinks import SINKS

# The plugin whose set-up or hook is running (methods sets it). A request plugin code makes through the
# console on its behalf (the http client) says so: the console names it in what it keeps of the request.
CALLER = None


class SystemClock:
    def now(self):
        return datetime.datetime.now(datetime.timezone.utc)

    def monotonic_ns(self):
        import time

        return time.monotonic_ns()


class FrozenClock:
    def __init__(self, *, at):
        if at.tzinfo is None:
            raise ValueError("FrozenClock requires an aware datetime")
        self._at = at
        self._monotonic = 0

    def now(self):
        return self._at

    def advance(self, *, seconds):
        self._at = self._at + datetime.timedelta(seconds=seconds)
        self._monotonic += int(seconds * 1_000_000_000)

    def monotonic_ns(self):
        """Frozen too: moves only with advance()."""
        return self._monotonic


class _Rng:
    """The rng resource: the reference's random()/randint(a, b) and the methods of
    reference/resources-list (next_float, next_int inclusive, uuid4, choice), from one generator."""

    def random(self):
        return self._r.random()

    def randint(self, a, b):
        return self._r.randint(a, b)

    def next_float(self):
        return self._r.random()

    def next_int(self, low, high):
        return self._r.randint(low, high)

    def uuid4(self):
        import uuid

        return str(uuid.UUID(int=self._r.getrandbits(128), version=4))

    def choice(self, items):
        return self._r.choice(items)


class RandomRng(_Rng):
    def __init__(self):
        import random

        self._r = random.SystemRandom()


class DeterministicRng(_Rng):
    def __init__(self, *, seed):
        import random

        self._r = random.Random(seed)


class PluginContext:
    """The reference's PluginContext dataclass, field for field, written out: importing dataclasses
    (and the inspect module it pulls in) costs ~8 ms of every start-up."""

    _FIELDS = ("config", "logger", "registry", "event_bus", "tenant", "resources", "progress", "checkpoint", "metadata",
               "extras")

    def __init__(self, config, logger, registry, event_bus=None, tenant=None, resources=None, progress=None,
                 checkpoint=None, metadata=None, extras=None):
        self.config, self.logger, self.registry = config, logger, registry
        self.event_bus, self.tenant, self.resources = event_bus, tenant, resources
        self.progress, self.checkpoint = progress, checkpoint
        self.metadata = {} if metadata is None else metadata
        self.extras = {} if extras is None else extras

    def __repr__(self):
        return "PluginContext(" + ", ".join(f"{f}={getattr(self, f)!r}" for f in self._FIELDS) + ")"

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self._FIELDS)

    __hash__ = None


class ResourceRegistry:
    """The host's resources as the seeds read them: registry.resource_registry.get(name)."""

    def __init__(self, values):
        self._values = dict(values)

    def get(self, name):
        if name not in self._values:
            raise KeyError(f"Resource {name!r} is not registered")
        return self._values[name]

    def __contains__(self, name):
        return name in self._values

    def names(self):
        return list(self._values)


class ResourceContainer:
    """The resources a plugin declared: ctx.resources.clock, await ctx.resources.get("clock"). An
    optional resource the host does not provide reads as None (concepts/resources, manifest-schema);
    one the manifest does not declare is an error naming what it does declare."""

    def __init__(self, values, optional=()):
        object.__setattr__(self, "_values", dict(values))
        object.__setattr__(self, "_optional", frozenset(optional))

    def __getattr__(self, name):
        values = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        if name in object.__getattribute__(self, "_optional"):
            return None
        raise AttributeError(f"Resource {name!r} not declared/injected; available: {sorted(values)}")

    def __setattr__(self, name, value):
        raise AttributeError("resources are read-only")

    async def get(self, name):
        values = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        if name in object.__getattribute__(self, "_optional"):
            return None
        raise KeyError(f"Resource {name!r} not declared/injected")

    def __contains__(self, name):
        return name in object.__getattribute__(self, "_values")

    def __len__(self):
        return len(object.__getattribute__(self, "_values"))

    def __iter__(self):
        return iter(object.__getattribute__(self, "_values"))


class HostRegistry:
    """ctx.registry: the host's resource registry (the seeds' `resource_registry`, the reference's
    `resources`) and the registry API the docs show plugin code (`get_plugin`)."""

    def __init__(self, resources, caller):
        self.resource_registry = resources
        self.resources = resources
        self._caller = caller

    def get_plugin(self, kind, name=None):
        """The plugin `name` of `kind`, or without a name the one the kind's singleton rule picks
        (DAGSTACK_ACTIVE_<KIND>, then the highest priority). A plugin in this interpreter is returned
        itself; one in another runtime as a proxy whose hook calls go through the console (and so show
        in its traces). KindUnknown / AmbiguousPlugin as the docs say."""
        from . import loading, services

        reply = services.request("registry.get_plugin", {"caller": self._caller, "kind": kind, "name": name})
        target = reply["plugin"]
        if reply.get("local") and target in loading.PLUGINS:
            return loading.PLUGINS[target]["instance"]
        return services.PluginProxy(self._caller, target, kind, reply.get("hooks"))

    def list_manifests(self):
        """Every plugin's manifest as the console holds it (names, kinds, priorities, state)."""
        from . import services

        return services.request("registry.list_manifests", {"caller": self._caller})


def make_resource(descriptor):
    """A resource from the console's descriptor: the standard clock and rng (frozen or seeded for the
    contract checks), the http client and blob store the console runs, or a custom value as it was
    given."""
    kind = descriptor.get("resource")
    spec = descriptor.get("spec") or {}
    if kind in ("http_client", "blob_store"):
        from . import services

        return services.HttpClient() if kind == "http_client" else services.BlobStore(spec)
    if kind == "clock":
        if spec.get("type") == "frozen":
            at = datetime.datetime.fromisoformat(spec["at"].replace("Z", "+00:00"))
            return FrozenClock(at=at)
        return SystemClock()
    if kind == "rng":
        if spec.get("type") == "seeded":
            return DeterministicRng(seed=spec["seed"])
        return RandomRng()
    return descriptor.get("value")


class Contexts:
    """The ctx of each plugin. A plugin gets the same ctx while the request metadata is the same, as
    the reference passes one ctx to every call: building one per call cost more than most hooks take."""

    def __init__(self):
        self.resources = {}
        self.configs = {}
        self._cache = {}

    def configure(self, resource_descriptors):
        self.resources = {name: make_resource(d) for name, d in resource_descriptors.items()}
        self._cache.clear()

    def set_config(self, name, config):
        """The plugin's section of the application config (`<kind>.<name>`), given at its set-up."""
        self.configs[name] = config
        self._cache.pop(name, None)

    def get(self, name, declared, metadata=None, optional=()):
        """The ctx for plugin `name`, which declared the resources named in `declared` (of which
        `optional` are optional)."""
        metadata = metadata or {}
        cached = self._cache.get(name)
        if cached is not None and cached[0] == metadata:
            return cached[1]
        ctx = self._new(name, declared, metadata, optional)
        self._cache[name] = (dict(metadata), ctx)
        return ctx

    def forget(self, name):
        self._cache.pop(name, None)

    def _new(self, name, declared, metadata, optional):
        injected = {r: self.resources[r] for r in declared if r in self.resources}
        return PluginContext(
            config=dict(self.configs.get(name) or {}), logger=logging.getLogger(f"dagstack.plugin.{name}"),
            registry=HostRegistry(ResourceRegistry(self.resources), name),
            resources=ResourceContainer(injected, optional),
            progress=SINKS.progress_for(name), checkpoint=SINKS.checkpoint_for(name), metadata=dict(metadata))


CONTEXTS = Contexts()
