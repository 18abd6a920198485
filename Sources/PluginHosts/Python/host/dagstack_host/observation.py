"""What a plugin's hooks do besides answering, watched while the contract checks run its samples:
module globals and class attributes they change (ADR-0003 #1), environment variables they read or
write (#1: only set-up may), blocking sleeps, file and socket calls (#4: an async plugin must not
block its event loop), coroutines returned by a plugin declared sync (#4), what they write (#7: a
second run with the same input must not do it again) and what goes through the progress and
checkpoint sinks (#6).

Nothing is patched while nobody watches: `begin` installs the hooks, `end` removes them; a normal
call pays one global look-up (`CURRENT is None`)."""
import os
import reprlib
import sys
import time

from . import loading
from .sinks import SINKS

HOST_DIR = os.path.dirname(__file__)
# The observation in progress, and the call it is in (None between calls).
CURRENT = None


class Observation:
    def __init__(self, plugin, folder):
        self.plugin = plugin
        self.folders = tuple({os.path.realpath(folder) + os.sep, os.path.abspath(folder) + os.sep})
        self.state_before = module_state(self.folders)
        self.calls = []
        self.call = None
        self.restore = []

    def in_plugin(self, filename):
        return filename.startswith(self.folders)

    def where(self, depth=2):
        """The innermost frame of the plugin's own code on the stack, as `file:line`, or None when the
        call did not come from it (a library's own reads are not the plugin's)."""
        frame = sys._getframe(depth)
        while frame is not None:
            filename = frame.f_code.co_filename
            if self.in_plugin(filename):
                return f"{os.path.basename(filename)}:{frame.f_lineno}"
            if filename.startswith(HOST_DIR):
                return None
            frame = frame.f_back
        return None

    def direct_caller(self, depth=2):
        """`file:line` of the plugin frame that made this call itself (skipping the os module)."""
        frame = sys._getframe(depth)
        while frame is not None and frame.f_code.co_filename in (os.__file__, "<frozen os>", "<frozen _collections_abc>"):
            frame = frame.f_back
        if frame is not None and self.in_plugin(frame.f_code.co_filename):
            return f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}"
        return None

    def record(self, field, text):
        if self.call is not None and text not in self.call[field]:
            self.call[field].append(text)


def begin(plugin, checkpoint=None, crash_after_checkpoints=None):
    """Starts watching plugin `plugin`: its sinks start empty (or with the checkpoint state given, to
    resume from), and with `crash_after_checkpoints` its checkpoint store stops it after that many saves."""
    global CURRENT
    end_quietly()
    spec = loading.PLUGINS[plugin]["spec"]
    observation = Observation(plugin, spec["folder"])
    store = SINKS.checkpoint_for(plugin)
    store.states, store.versions, store.saves = dict(checkpoint or {}), {k: 1 for k in (checkpoint or {})}, []
    store.crash_after = crash_after_checkpoints
    SINKS.progress_for(plugin).events = []
    _install(observation)
    CURRENT = observation
    return {}


def end(plugin):
    """Stops watching; returns what was seen, call by call, and what changed in the plugin's modules."""
    global CURRENT
    observation = CURRENT
    end_quietly()
    if observation is None or observation.plugin != plugin:
        return {"watched": False}
    store = SINKS.checkpoint_for(plugin)
    store.crash_after = None
    from .values import SerializationError, to_json

    checkpoint, unserializable = {}, []
    for key, state in store.states.items():
        try:
            checkpoint[key] = to_json(state, strict=True)
        except SerializationError as exc:
            unserializable.append(f"checkpoint {key!r}: {exc}")
    progress = []
    for event in SINKS.progress_for(plugin).events:
        try:
            progress.append(to_json(event, strict=True))
        except SerializationError as exc:
            unserializable.append(f"progress event: {exc}")
    return {
        "watched": True, "calls": observation.calls, "state_changes": state_changes(observation.state_before, module_state(observation.folders)),
        "checkpoint": checkpoint, "checkpoint_saves": list(store.saves), "progress": progress, "unserializable": unserializable,
    }


def end_quietly():
    global CURRENT
    if CURRENT is not None:
        for undo in reversed(CURRENT.restore):
            undo()
        CURRENT = None


class watching:
    """Around one hook call of the watched plugin: what it does is recorded under this call."""

    __slots__ = ("entry",)

    def __init__(self, plugin, hook):
        self.entry = None
        if CURRENT is not None and CURRENT.plugin == plugin:
            self.entry = {"hook": hook, "env": [], "blocking": [], "writes": [], "awaitable": False}

    def __enter__(self):
        if self.entry is not None:
            CURRENT.call = self.entry
            CURRENT.calls.append(self.entry)
        return self

    def returned(self, result):
        """The hook's own return value, before it is awaited: was it a coroutine?"""
        if self.entry is not None and hasattr(result, "__await__") and not isinstance(result, type):
            self.entry["awaitable"] = True
        return result

    def __exit__(self, *exc):
        if self.entry is not None and CURRENT is not None:
            CURRENT.call = None
        return False


# --- the hooks installed while watching ---

def _patch(observation, owner, name, make):
    original = getattr(owner, name)
    setattr(owner, name, make(original))
    observation.restore.append(lambda: setattr(owner, name, original))


def _install(observation):
    environ_class = type(os.environ)

    def getitem(original):
        def __getitem__(self, key):
            if self is os.environ and observation.call is not None:
                where = observation.direct_caller()
                if where:
                    observation.record("env", f"os.environ[{key!r}] read at {where}")
            return original(self, key)
        return __getitem__

    def setitem(original):
        def __setitem__(self, key, value):
            if self is os.environ and observation.call is not None:
                where = observation.direct_caller()
                if where:
                    observation.record("env", f"os.environ[{key!r}] set at {where}")
            return original(self, key, value)
        return __setitem__

    _patch(observation, environ_class, "__getitem__", getitem)
    _patch(observation, environ_class, "__setitem__", setitem)

    def blocking(what, check=None):
        def make(original):
            def wrapper(*args, **kwargs):
                if observation.call is not None and (check is None or check(*args, **kwargs)):
                    where = observation.where()
                    if where:
                        observation.record("blocking", f"{what(*args, **kwargs)} at {where}")
                return original(*args, **kwargs)
            return wrapper
        return make

    # Python 3.12 raises an audit event for time.sleep (seen by `_audit`, even through a name bound
    # before the watch); older interpreters are watched through the module's attribute.
    _patch(observation, time, "sleep", blocking(lambda seconds: f"time.sleep({seconds!r})"))
    _watch_sockets(observation, blocking)
    _install_audit_hook()


_AUDITING = False
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _install_audit_hook():
    """Files opened (by `open`, `io.open` or `os.open`) and `time.sleep` are seen through the
    interpreter's audit events, so nothing shared is replaced (the host's integrity check guards
    builtins) and names bound before the watch (`from time import sleep`) are seen too. An audit hook
    cannot be removed: it is added once and does nothing while nobody watches."""
    global _AUDITING
    if _AUDITING:
        return
    _AUDITING = True
    sys.addaudithook(_audit)


def _audit(event, args):
    observation = CURRENT
    if observation is None or observation.call is None:
        return
    if event == "time.sleep":
        where = observation.where(2)
        if where:
            observation.record("blocking", f"time.sleep({args[0]!r}) at {where}")
    elif event == "open":
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        if isinstance(path, int) or _importing():
            return
        where = observation.where(2)
        if not where:
            return
        shown = mode if mode is not None else f"flags {flags:#o}" if isinstance(flags, int) else "?"
        observation.record("blocking", f"open({path!r}, {shown!r}) at {where}")
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (isinstance(flags, int) and flags & _WRITE_FLAGS)
        if writes:
            observation.record("writes", f"file {path!r} opened for writing at {where}")


def _importing():
    """An import reads its module's file: that is the import system's, not a plugin's file call."""
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


def _watch_sockets(observation, blocking):
    import socket

    def is_blocking(sock, *args, **kwargs):
        try:
            return sock.gettimeout() != 0.0
        except OSError:
            return False

    for method in ("connect", "recv", "recv_into", "recvfrom", "send", "sendall", "sendto", "accept"):
        if hasattr(socket.socket, method):
            _patch(observation, socket.socket, method,
                   blocking(lambda sock, *a, _m=method, **k: f"blocking socket.{_m}()", is_blocking))


# --- module globals and class attributes ---

_CONTAINERS = (dict, list, set, frozenset, tuple, bytearray)
_SCALARS = (str, bytes, int, float, complex, bool, type(None))
_repr = reprlib.Repr()
_repr.maxstring, _repr.maxother, _repr.maxlist, _repr.maxdict = 60, 60, 6, 6


def plugin_modules(folders):
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and (file.startswith(folders) or os.path.realpath(file).startswith(folders)):
            yield name, module


def module_state(folders):
    """name -> (fingerprint, shown) for every module global of the plugin's modules and every data
    attribute of the classes they define. Plain containers and objects of the plugin's own classes
    are looked into; anything else (a logger, a compiled pattern) only by identity."""
    own = set()
    modules = list(plugin_modules(folders))
    for _, module in modules:
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__:
                own.add(value)
    state = {}
    for name, module in modules:
        short = name.rsplit(".", 1)[-1]
        for key, value in vars(module).items():
            if key.startswith("__") and key.endswith("__"):
                continue
            if isinstance(value, type) and value in own:
                for attr, item in vars(value).items():
                    if attr.startswith("__") or callable(item) or isinstance(item, (staticmethod, classmethod, property)):
                        continue
                    state[f"class attribute {value.__name__}.{attr} (module {short})"] = (_fingerprint(item, own, 0), _repr.repr(item))
                continue
            if callable(value) or type(value).__name__ == "module":
                state[f"module global {key} (module {short})"] = (("id", id(value)), _repr.repr(value))
                continue
            state[f"module global {key} (module {short})"] = (_fingerprint(value, own, 0), _repr.repr(value))
    return state


def _fingerprint(value, own, depth):
    if isinstance(value, _SCALARS):
        return (type(value).__name__, value)
    if depth > 6:
        return ("id", id(value))
    if isinstance(value, dict):
        return ("dict", id(value), tuple((repr(k), _fingerprint(v, own, depth + 1)) for k, v in list(value.items())[:1000]), len(value))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, id(value), tuple(_fingerprint(v, own, depth + 1) for v in value[:1000]), len(value))
    if isinstance(value, (set, frozenset)):
        return ("set", id(value), tuple(sorted(repr(v) for v in list(value)[:1000])), len(value))
    if isinstance(value, bytearray):
        return ("bytearray", id(value), bytes(value[:4096]), len(value))
    if type(value) in own:
        return ("object", id(value), tuple((k, _fingerprint(v, own, depth + 1)) for k, v in vars(value).items()))
    return ("id", id(value))


def state_changes(before, after):
    changes = []
    for name in sorted(set(before) | set(after)):
        if name not in before:
            changes.append(f"{name} created: {after[name][1]}")
        elif name not in after:
            changes.append(f"{name} deleted (was {before[name][1]})")
        elif before[name][0] != after[name][0]:
            changes.append(f"{name} changed: {before[name][1]} → {after[name][1]}")
    return changes
