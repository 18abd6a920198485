"""The ctx plugin code receives, and the registry and resources it reaches through it."""
import datetime
import logging

from .sinks import SINKS


class SystemClock:
    def now(self):
        return datetime.datetime.now(datetime.timezone.utc)


class FrozenClock:
    def __init__(self, *, at):
        if at.tzinfo is None:
            raise ValueError("FrozenClock requires an aware datetime")
        self._at = at

    def now(self):
        return self._at

    def advance(self, *, seconds):
        self._at = self._at + datetime.timedelta(seconds=seconds)


class RandomRng:
    def __init__(self):
        import random

        self._r = random.SystemRandom()

    def random(self):
        return self._r.random()

    def randint(self, a, b):
        return self._r.randint(a, b)


class DeterministicRng:
    def __init__(self, *, seed):
        import random

        self._r = random.Random(seed)

    def random(self):
        return self._r.random()

    def randint(self, a, b):
        return self._r.randint(a, b)


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
    """The resources a plugin declared: ctx.resources.clock, await ctx.resources.get("clock")."""

    def __init__(self, values):
        object.__setattr__(self, "_values", dict(values))

    def __getattr__(self, name):
        values = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        raise AttributeError(f"Resource {name!r} not declared/injected; available: {sorted(values)}")

    def __setattr__(self, name, value):
        raise AttributeError("resources are read-only")

    async def get(self, name):
        values = object.__getattribute__(self, "_values")
        if name not in values:
            raise KeyError(f"Resource {name!r} not declared/injected")
        return values[name]

    def __contains__(self, name):
        return name in object.__getattribute__(self, "_values")

    def __len__(self):
        return len(object.__getattribute__(self, "_values"))

    def __iter__(self):
        return iter(object.__getattribute__(self, "_values"))


class HostRegistry:
    """ctx.registry: the resource registry under both the seeds' and the reference's names."""

    def __init__(self, resources):
        self.resource_registry = resources
        self.resources = resources


def make_resource(descriptor):
    """A resource from the console's descriptor: the standard clock and rng (frozen or seeded for the
    contract checks), or a custom value as it was given."""
    kind = descriptor.get("resource")
    spec = descriptor.get("spec") or {}
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
        self.config = {}
        self._cache = {}

    def configure(self, resource_descriptors, config):
        self.resources = {name: make_resource(d) for name, d in resource_descriptors.items()}
        self.config = config
        self._cache.clear()

    def get(self, name, declared, metadata=None):
        """The ctx for plugin `name`, which declared the resources named in `declared`."""
        metadata = metadata or {}
        cached = self._cache.get(name)
        if cached is not None and cached[0] == metadata:
            return cached[1]
        ctx = self._new(name, declared, metadata)
        self._cache[name] = (dict(metadata), ctx)
        return ctx

    def forget(self, name):
        self._cache.pop(name, None)

    def _new(self, name, declared, metadata):
        injected = {r: self.resources[r] for r in declared if r in self.resources}
        return PluginContext(
            config=dict(self.config), logger=logging.getLogger(f"dagstack.plugin.{name}"),
            registry=HostRegistry(ResourceRegistry(self.resources)), resources=ResourceContainer(injected),
            progress=SINKS.progress_for(name), checkpoint=SINKS.checkpoint_for(name), metadata=dict(metadata))


CONTEXTS = Contexts()
