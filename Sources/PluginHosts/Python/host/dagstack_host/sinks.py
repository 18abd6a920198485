"""ctx.progress and ctx.checkpoint: the sinks through which a plugin reports progress and keeps the
state it resumes from (ADR-0003 §6), one of each per plugin.

Both speak the ADR's interface and the reference's where the two do not collide: progress has
`update(percent, message, payload)` and `event(type, payload)` as well as `report(progress)`,
`done()` and `error(exc)`; the checkpoint store has the ADR's `save(key, state) -> version`,
`load(key) -> (state, version)` and `list(prefix)`, plus the reference's `clear(key)` (the
reference's `load` returns bytes alone; docs/runtime.md says why the ADR's tuple wins). Progress
lines go to the call's log, so the console shows them. The contract checks read what went through
them and can stop a plugin at a checkpoint, as a crash would."""
import copy
import logging

_LOG = logging.getLogger("dagstack.progress")


class SimulatedCrash(BaseException):
    """Raised by a sink to stop a plugin mid-run (the contract's crash-and-resume check). A
    BaseException, so a plugin's `except Exception` cannot swallow it."""


class ProgressSink:
    def __init__(self, plugin):
        self.plugin = plugin
        self.events = []

    def _record(self, event):
        self.events.append(event)
        _LOG.info("%s: %s", self.plugin, " ".join(f"{k}={v!r}" for k, v in event.items()))

    def update(self, percent, message="", payload=None):
        self._record({"update": percent, "message": message, **({"payload": payload} if payload is not None else {})})

    def event(self, event_type, payload=None):
        self._record({"event": event_type, **({"payload": payload} if payload is not None else {})})

    def report(self, progress):
        self._record({"current": getattr(progress, "current", progress), "total": getattr(progress, "total", None),
                      "message": getattr(progress, "message", "")})

    def done(self):
        self._record({"event": "done"})

    def error(self, exc):
        self._record({"event": "error", "message": str(exc)})


class CheckpointStore:
    def __init__(self, plugin):
        self.plugin = plugin
        self.states = {}
        self.versions = {}
        self.saves = []
        # Set by the contract checks: after this many saves, the next save lands and then the plugin stops.
        self.crash_after = None

    def save(self, key, state):
        if not isinstance(key, str):
            raise TypeError(f"checkpoint key must be a str, not {type(key).__name__}")
        self.states[key] = copy.deepcopy(state)
        self.versions[key] = self.versions.get(key, 0) + 1
        self.saves.append(key)
        from . import observation

        if observation.CURRENT is not None:
            observation.CURRENT.record("writes", f"checkpoint {key!r} saved")
        if self.crash_after is not None and len(self.saves) > self.crash_after:
            self.crash_after = None
            raise SimulatedCrash(f"simulated crash after checkpoint save #{len(self.saves)} ({key!r})")
        return str(self.versions[key])

    def load(self, key):
        if key not in self.states:
            return None, None
        return copy.deepcopy(self.states[key]), str(self.versions[key])

    def list(self, key_prefix=""):
        return [(k, str(self.versions[k])) for k in sorted(self.states) if k.startswith(key_prefix)]

    def clear(self, key):
        self.states.pop(key, None)
        self.versions.pop(key, None)


class Sinks:
    """The sinks of every plugin of this interpreter, by plugin name."""

    def __init__(self):
        self.progress = {}
        self.checkpoints = {}

    def progress_for(self, plugin):
        return self.progress.setdefault(plugin, ProgressSink(plugin))

    def checkpoint_for(self, plugin):
        return self.checkpoints.setdefault(plugin, CheckpointStore(plugin))


SINKS = Sinks()
