// The Python plugin host, shipped inside the package: no file to install. `PythonHost` starts
// `python3 -c <bootstrap>` and sends this source as the first line on the child's stdin.
enum PythonHostScript {
    /// Reads one JSON-encoded line from fd 0 without buffering past it, then runs it as the host.
    static let bootstrap = """
        import json, os
        line = b""
        while not line.endswith(b"\\n"):
            chunk = os.read(0, 65536)  # nothing else is sent before the host says it is ready
            if not chunk:
                raise SystemExit(1)
            line += chunk
        exec(compile(json.loads(line), "dagstack_python_host.py", "exec"), {"__name__": "__main__"})
        """

    static let source = #"""
"""dagstack Python plugin host: runs the in-process Python plugins of one plugin directory.

Spoken to over newline-delimited JSON-RPC 2.0 on the stdin/stdout it was started with. Plugin code
never sees those: print() and logging are captured per call and returned with the result, and
anything written straight to file descriptor 1 lands on stderr.
"""
import datetime
import importlib.util
import json
import logging
import math
import os
import sys
import time
import traceback
import types

# asyncio, inspect and random are imported only when needed: together they cost ~50 ms of start-up,
# and most plugins' coroutines (an `async def setup` that awaits nothing) do not need an event loop.

# Buffered: an unbuffered file would read each request one byte per system call.
PROTOCOL_IN = os.fdopen(os.dup(0), "rb")
PROTOCOL_OUT = os.fdopen(os.dup(1), "wb")
_devnull = os.open(os.devnull, os.O_RDONLY)
os.dup2(_devnull, 0)
os.dup2(2, 1)
sys.stdin = open(os.devnull)
sys.stdout = sys.__stdout__ = open(1, "w", closefd=False)


# ---------------------------------------------------------------------------------------------
# What plugin code imports: the real dagstack.plugin_system when it is installed, else a shim.
# ---------------------------------------------------------------------------------------------
class _StopChainType:
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self):
        return "STOP_CHAIN"

    def __bool__(self):
        return False


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


def _install_shim():
    try:
        import dagstack.plugin_system as real  # noqa: F401

        return real
    except ImportError:
        pass
    dagstack = sys.modules.get("dagstack") or types.ModuleType("dagstack")
    dagstack.__path__ = []
    shim = types.ModuleType("dagstack.plugin_system")
    shim.STOP_CHAIN = _StopChainType()
    shim.MIDDLEWARE_PRIORITY_THRESHOLD = 1000
    shim.PluginContext = PluginContext
    for cls in (SystemClock, FrozenClock, RandomRng, DeterministicRng, ResourceRegistry, ResourceContainer):
        setattr(shim, cls.__name__, cls)
    shim.Clock = SystemClock
    shim.Rng = RandomRng
    shim.__all__ = [n for n in vars(shim) if not n.startswith("_")]
    dagstack.plugin_system = shim
    sys.modules["dagstack"] = dagstack
    sys.modules["dagstack.plugin_system"] = shim
    return shim


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


class _Registry:
    """ctx.registry: the resource registry under both the seeds' and the reference's names."""

    def __init__(self, resources):
        self.resource_registry = resources
        self.resources = resources


PLUGIN_SYSTEM = _install_shim()
STOP_CHAIN = PLUGIN_SYSTEM.STOP_CHAIN
STOP_CHAIN_MARKER = {"__dagstack__": "STOP_CHAIN"}


# ---------------------------------------------------------------------------------------------
# Capturing what plugins print and log during one call.
# ---------------------------------------------------------------------------------------------
class _Capture:
    def __init__(self):
        self.logs = []

    def write_stream(self, stream, text):
        if text:
            self.logs.append({"stream": stream, "text": text})


class _CapturedStream:
    def __init__(self, name):
        self.name = name
        self.buffer_text = ""

    def write(self, text):
        self.buffer_text += text
        while "\n" in self.buffer_text:
            line, self.buffer_text = self.buffer_text.split("\n", 1)
            CURRENT.write_stream(self.name, line)
        return len(text)

    def flush(self):
        if self.buffer_text:
            CURRENT.write_stream(self.name, self.buffer_text)
            self.buffer_text = ""

    def isatty(self):
        return False


class _LogHandler(logging.Handler):
    def emit(self, record):
        try:
            text = self.format(record)
        except Exception:
            text = str(record.msg)
        CURRENT.logs.append({"stream": "log", "level": record.levelname, "logger": record.name, "text": text})


CURRENT = _Capture()
_handler = _LogHandler()
_handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
logging.getLogger().addHandler(_handler)
logging.getLogger().setLevel(logging.INFO)
LOOP = None


def _loop():
    global LOOP
    if LOOP is None:
        import asyncio

        LOOP = asyncio.new_event_loop()
        asyncio.set_event_loop(LOOP)
    return LOOP


_PLAIN = frozenset((dict, list, str, int, float, bool, type(None)))


def _resolve(result):
    """The value of what a plugin returned, awaiting it if it is awaitable. While nothing has imported
    asyncio, nothing a coroutine calls can need its loop: it is run directly, and one that finishes
    without suspending (an `async def setup` that awaits nothing) needs no loop at all. Otherwise it
    runs on an asyncio loop, as before."""
    if type(result) in _PLAIN:
        return result
    if isinstance(result, types.CoroutineType) and "asyncio" not in sys.modules:
        try:
            pending = result.send(None)
        except StopIteration as done:
            return done.value
        return _loop().run_until_complete(_resume(result, pending))
    if isinstance(result, types.CoroutineType):
        return _loop().run_until_complete(result)
    if hasattr(result, "__await__") and not isinstance(result, type):
        async def wait():
            return await result
        return _loop().run_until_complete(wait())
    return result


async def _resume(coro, pending):
    """Carries on a coroutine that suspended on `pending` (what it yielded to the loop)."""
    import asyncio

    while True:
        try:
            if pending is None:
                await asyncio.sleep(0)
                value = None
            else:
                value = await pending
        except BaseException as exc:  # the awaited thing failed: the coroutine sees the error
            try:
                pending = coro.throw(exc)
            except StopIteration as done:
                return done.value
            continue
        try:
            pending = coro.send(value)
        except StopIteration as done:
            return done.value


_STDOUT, _STDERR = _CapturedStream("stdout"), _CapturedStream("stderr")


def _run_captured(fn):
    """Runs fn() (awaiting what it returns) with stdout/stderr/logging captured."""
    global CURRENT
    CURRENT = _Capture()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _STDOUT, _STDERR
    try:
        return _resolve(fn())
    finally:
        _STDOUT.flush()
        _STDERR.flush()
        sys.stdout, sys.stderr = saved


# ---------------------------------------------------------------------------------------------
# Values across the boundary.
# ---------------------------------------------------------------------------------------------
class SerializationError(Exception):
    pass


class _Unserializable(Exception):
    """Raised where a value cannot be carried; each enclosing level adds its step to the path on the
    way out, so a value that can be carried (nearly all) never pays for building paths."""

    def __init__(self, reason):
        self.reason = reason
        self.steps = []


def to_json(value, path="$", strict=False):
    """What a plugin returned, as JSON; anything JSON cannot carry names its path. With strict (the
    contract checks), a tuple is refused too: it would come back as a list."""
    try:
        return _to_json(value, strict)
    except _Unserializable as exc:
        raise SerializationError(f"{path}{''.join(reversed(exc.steps))}: {exc.reason}") from None


def _to_json(value, strict):
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Unserializable(f"dict key {key!r} is a {type(key).__name__}, JSON keys are strings")
            try:
                out[key] = _to_json(item, strict)
            except _Unserializable as exc:
                exc.steps.append(f".{key}")
                raise
        return out
    if kind is list or (kind is tuple and not strict):
        out = []
        for i, item in enumerate(value):
            try:
                out.append(_to_json(item, strict))
            except _Unserializable as exc:
                exc.steps.append(f"[{i}]")
                raise
        return out
    if value is STOP_CHAIN:
        return dict(STOP_CHAIN_MARKER)
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise _Unserializable(f"{value!r} is not a JSON number")
        return value
    if isinstance(value, tuple) and strict:
        raise _Unserializable("a tuple comes back from JSON as a list; return a list")
    if isinstance(value, (dict, list, tuple)):
        return _to_json(dict(value) if isinstance(value, dict) else list(value), strict)
    if hasattr(kind, "__dataclass_fields__"):  # a dataclass instance: its module has imported dataclasses
        import dataclasses

        return _to_json({f.name: getattr(value, f.name) for f in dataclasses.fields(value)}, strict)
    if hasattr(value, "model_dump") and callable(value.model_dump):
        return _to_json(value.model_dump(), strict)
    raise _Unserializable(f"a {type(value).__module__}.{type(value).__qualname__} cannot be carried as JSON")


def from_json(value):
    if isinstance(value, dict) and value == STOP_CHAIN_MARKER:
        return STOP_CHAIN
    return value


def make_resource(descriptor):
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


# ---------------------------------------------------------------------------------------------
# Plugins.
# ---------------------------------------------------------------------------------------------
class PluginError(Exception):
    def __init__(self, message, kind="load"):
        super().__init__(message)
        self.kind = kind


PLUGINS = {}
RESOURCES = {}
CONFIG = {}
CONTRACT_KEY = "_dagstack_contract"
BASELINE = {}


def _load_module(name, folder, real_folder, module_name):
    if module_name.startswith(".") or "/" in module_name or "\\" in module_name or ".." in module_name.split("."):
        raise PluginError(f"entry_point module {module_name!r} must be a module path inside the plugin folder")
    path = os.path.join(folder, *module_name.split(".")) + ".py"
    real_path = os.path.realpath(path)
    if not real_path.startswith(real_folder + os.sep):
        raise PluginError(f"entry_point module {module_name!r} resolves outside the plugin folder")
    if not os.path.isfile(real_path):
        raise PluginError(f"module file not found: {path}")
    qualified = f"dagstack._discovered.{name.replace('-', '_').replace('.', '_')}.{module_name}"
    parts = qualified.split(".")
    for i in range(1, len(parts)):
        parent = ".".join(parts[:i])
        if parent not in sys.modules:
            package = types.ModuleType(parent)
            package.__path__ = []
            sys.modules[parent] = package
    spec = importlib.util.spec_from_file_location(qualified, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[qualified] = module

    def execute():
        # What exec_module does, without its look for cached bytecode (this host writes none).
        with open(real_path, "rb") as source:
            code = compile(source.read(), path, "exec", dont_inherit=True)
        exec(code, module.__dict__)

    try:
        _run_captured(execute)
    except BaseException as exc:
        del sys.modules[qualified]
        raise PluginError(f"Failed to execute plugin module {path}: {type(exc).__name__}: {exc}") from exc
    return module


def load_plugin(spec):
    name, folder, entry = spec["name"], spec["folder"], spec.get("entry_point")
    inferred = False
    if entry:
        module_name, sep, class_name = entry.partition(":")
        if not sep or not module_name or not class_name:
            raise PluginError(f"Invalid entry_point {entry!r}: expected 'module.path:ClassName'")
        module = _load_module(name, folder, spec["real_folder"], module_name)
        if not hasattr(module, class_name):
            raise PluginError(f"Module {module_name!r} has no attribute {class_name!r} (entry_point {entry!r})")
        cls = getattr(module, class_name)
    else:
        module = _load_module(name, folder, spec["real_folder"], "plugin")
        classes = [v for v in vars(module).values() if isinstance(v, type) and v.__module__ == module.__name__]
        if len(classes) != 1:
            found = ", ".join(c.__name__ for c in classes) or "none"
            raise PluginError(
                f"no entry_point in the manifest and plugin.py defines {len(classes)} top-level classes ({found}); "
                f"set entry_point = \"plugin:ClassName\" in dagstack.toml")
        cls = classes[0]
        inferred = True
        entry = f"plugin:{cls.__name__}"
    try:
        instance = _run_captured(cls)
    except BaseException as exc:
        raise PluginError(f"Failed to instantiate {entry}: {type(exc).__name__}: {exc}") from exc
    hooks = {}
    for attr in dir(instance):
        if attr.startswith("_") or attr in ("setup", "teardown"):
            continue
        method = getattr(instance, attr, None)
        if not callable(method) or isinstance(method, type):
            continue
        takes_ctx = _first_parameter(method) in ("ctx", "context")
        hooks[attr] = {"takes_ctx": takes_ctx}
    PLUGINS[name] = {"instance": instance, "hooks": hooks, "spec": spec}
    return {"entry_point": entry, "class": cls.__name__, "inferred": inferred, "hooks": hooks,
            "module_file": getattr(module, "__file__", None)}


def _first_parameter(method):
    """The name of a method's first parameter after self, read from its code (cheaper than inspect)."""
    func = getattr(method, "__func__", method)
    code = getattr(func, "__code__", None)
    if code is None:
        try:
            import inspect

            params = list(inspect.signature(method).parameters)
            return params[0] if params else None
        except (TypeError, ValueError):
            return None
    names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    skip = 1 if hasattr(method, "__self__") and not isinstance(method.__self__, type) else 0
    return names[skip] if len(names) > skip else None


# name -> (metadata, ctx): a plugin gets the same ctx while the metadata is the same, as the
# reference passes one ctx to every call; building one per call cost more than most hooks take.
CONTEXTS = {}


def _context(name, metadata=None):
    metadata = metadata or {}
    cached = CONTEXTS.get(name)
    if cached is not None and cached[0] == metadata:
        return cached[1]
    ctx = _new_context(name, metadata)
    CONTEXTS[name] = (dict(metadata), ctx)
    return ctx


def _new_context(name, metadata):
    spec = PLUGINS[name]["spec"]
    declared = {r: RESOURCES[r] for r in spec.get("resources", []) if r in RESOURCES}
    registry = _Registry(ResourceRegistry(RESOURCES))
    return PluginContext(
        config=dict(CONFIG), logger=logging.getLogger(f"dagstack.plugin.{name}"), registry=registry,
        resources=ResourceContainer(declared), metadata=dict(metadata or {}))


HOST_FILE = "dagstack_python_host.py"


def _traceback(exc):
    """The traceback from the plugin's own frames: the host's frames are the console's business."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != HOST_FILE]
    text = "Traceback (most recent call last):\n" if frames else ""
    return text + "".join(traceback.format_list(frames)) + "".join(traceback.format_exception_only(type(exc), exc))


def _error(exc, kind="exception"):
    return {"code": -32000, "message": str(exc) or type(exc).__name__,
            "data": {"type": type(exc).__name__, "kind": kind, "traceback": _traceback(exc)}}


# ---------------------------------------------------------------------------------------------
# Methods.
# ---------------------------------------------------------------------------------------------
def m_load(params):
    global RESOURCES, CONFIG
    RESOURCES = {name: make_resource(d) for name, d in params.get("resources", {}).items()}
    CONFIG = params.get("config", {})
    CONTEXTS.clear()
    results = {}
    for spec in params["plugins"]:
        try:
            results[spec["name"]] = {"ok": True, **load_plugin(spec)}
        except PluginError as exc:
            results[spec["name"]] = {"ok": False, "error": _error(exc, "load")}
    BASELINE.update(_snapshot())
    return {"plugins": results, "python": sys.version.split()[0],
            "dagstack_package": getattr(PLUGIN_SYSTEM, "__file__", None) is not None}


def m_setup(params):
    name = params["plugin"]
    instance = PLUGINS[name]["instance"]
    setup = getattr(instance, "setup", None)
    if setup is not None:
        _run_captured(lambda: setup(_context(name, params.get("metadata"))))
    return {"logs": CURRENT.logs}


def m_setup_many(params):
    """Several set-ups in one exchange, in order, stopping after the first that raises. Returns each
    that ran, with its logs and time, or its error."""
    results = []
    for entry in params["plugins"]:
        started = time.perf_counter()
        try:
            logs = m_setup(entry)["logs"]
            results.append({"plugin": entry["plugin"], "logs": logs, "duration_us": int((time.perf_counter() - started) * 1e6)})
        except BaseException as exc:
            error = _error(exc, getattr(exc, "kind", "exception"))
            error["data"]["logs"] = CURRENT.logs
            results.append({"plugin": entry["plugin"], "error": error})
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            break
    return {"results": results}


def m_teardown(params):
    name = params["plugin"]
    instance = PLUGINS[name]["instance"]
    CONTEXTS.pop(name, None)
    teardown = getattr(instance, "teardown", None)
    if teardown is not None:
        _run_captured(teardown)
    return {"logs": CURRENT.logs}


def _call_one(name, hook, args, kwargs, metadata):
    """Runs one hook; returns (value as JSON, logs). Raises what the plugin raises."""
    plugin = PLUGINS[name]
    info = plugin["hooks"].get(hook)
    if info is None:
        raise PluginError(f"plugin {name!r} has no hook {hook!r}", kind="no_hook")
    method = getattr(plugin["instance"], hook)
    args = [from_json(a) for a in args]
    strict = False
    if metadata and CONTRACT_KEY in metadata:
        metadata = dict(metadata)
        strict = bool(metadata.pop(CONTRACT_KEY))
    if info["takes_ctx"]:
        ctx = _context(name, metadata)
        call = lambda: method(ctx, *args, **kwargs)
    else:
        call = lambda: method(*args, **kwargs)
    result = _run_captured(call)
    try:
        value = to_json(result, strict=strict)
    except SerializationError as exc:
        raise SerializationError(f"plugin {name!r} hook {hook!r} returned a value JSON cannot carry: {exc}") from None
    return value, CURRENT.logs


def m_call(params):
    value, logs = _call_one(params["plugin"], params["hook"], params.get("args", []), params.get("kwargs", {}),
                            params.get("metadata"))
    return {"value": value, "logs": logs}


def m_chain(params):
    """Consecutive chain stages in one exchange: each stage's output is the next one's input; stops
    after STOP_CHAIN or an error. Returns every stage that ran, with its output, logs and time."""
    value = params["value"]
    stages = []
    for name in params["plugins"]:
        started = time.perf_counter()
        try:
            output, logs = _call_one(name, params["hook"], [value], params.get("kwargs", {}), params.get("metadata"))
            stages.append({"plugin": name, "value": output, "logs": logs,
                           "duration_us": int((time.perf_counter() - started) * 1e6)})
        except BaseException as exc:
            kind = "serialization" if isinstance(exc, SerializationError) else getattr(exc, "kind", "exception")
            error = _error(exc, kind)
            error["data"]["logs"] = CURRENT.logs
            stages.append({"plugin": name, "error": error, "duration_us": int((time.perf_counter() - started) * 1e6)})
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            break
        if output == STOP_CHAIN_MARKER:
            break
        value = output
    return {"stages": stages}


def _children():
    """Live child processes of this interpreter: pid -> command line."""
    found = {}
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/self/task/{task}/children") as f:
                pids = f.read().split()
        except OSError:
            continue
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                        continue
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    found[int(pid)] = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
            except OSError:
                continue
    return found


def _fds():
    found = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            found[int(fd)] = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            pass
    return found


def _tasks():
    if LOOP is None:
        return set()
    import asyncio

    return set(asyncio.all_tasks(LOOP))


def _snapshot():
    return {"fds": _fds(), "tasks": {id(t) for t in _tasks()}, "children": _children()}


def m_inspect(params):
    """After teardown: what the plugin left behind since the modules were loaded."""
    import gc
    import weakref

    name = params["plugin"]
    plugin = PLUGINS.pop(name, None)
    leaks = []
    if plugin is not None:
        try:
            ref = weakref.ref(plugin["instance"])
        except TypeError:
            ref = None
        plugin = None
        gc.collect()
        gc.collect()
        if ref is not None and ref() is not None:
            holders = sorted({type(h).__name__ for h in gc.get_referrers(ref())})[:5]
            leaks.append(f"the plugin instance is still referenced after teardown + gc (held by: {', '.join(holders)})")
    now = _snapshot()
    for task in _tasks():
        if id(task) not in BASELINE.get("tasks", set()) and not task.done():
            leaks.append(f"asyncio task still running: {task.get_coro()!r}")
    for pid, command in now["children"].items():
        if pid not in BASELINE.get("children", {}):
            leaks.append(f"child process still running: pid {pid} ({command})")
    for fd, target in now["fds"].items():
        if fd not in BASELINE.get("fds", {}) and not target.startswith("/proc/"):
            leaks.append(f"file descriptor {fd} still open: {target}")
    return {"leaks": leaks}


MUTABLE_CALLS = {"list", "dict", "set", "bytearray", "defaultdict", "OrderedDict", "Counter", "deque"}


def m_ambient_state(params):
    """Module-level assignments of mutable values (the reference's AST scan)."""
    import ast

    path = params["file"]
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=path)
    found = []
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        kind = None
        if isinstance(value, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)):
            kind = "mutable_literal"
        elif isinstance(value, ast.Call):
            func = value.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if called in MUTABLE_CALLS:
                kind = "mutable_call"
        if kind is None:
            continue
        for target in targets:
            if not isinstance(target, ast.Name) or (target.id.startswith("__") and target.id.endswith("__")):
                continue
            constant = target.id.lstrip("_").isupper()
            found.append({
                "name": target.id, "line": node.lineno, "kind": kind, "severity": "warning" if constant else "error",
                "message": ("an UPPER_CASE module-level mutable value: treated as a constant, never mutate it" if constant
                            else "module-level mutable state is shared by every instance and outlives teardown"),
            })
    return {"violations": found}


METHODS = {"load": m_load, "setup": m_setup, "setup_many": m_setup_many, "teardown": m_teardown, "call": m_call, "chain": m_chain, "inspect": m_inspect,
           "ambient_state": m_ambient_state}


def send(message):
    PROTOCOL_OUT.write(json.dumps(message, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode() + b"\n")
    PROTOCOL_OUT.flush()


def main():
    send({"jsonrpc": "2.0", "method": "ready", "params": {"python": sys.version.split()[0]}})
    for raw in PROTOCOL_IN:
        try:
            request = json.loads(raw)
        except ValueError:
            continue
        rid, method = request.get("id"), request.get("method")
        if method == "shutdown":
            send({"jsonrpc": "2.0", "result": None, "id": rid})
            break
        handler = METHODS.get(method)
        if handler is None:
            send({"jsonrpc": "2.0", "error": {"code": -32601, "message": f"unknown method {method!r}"}, "id": rid})
            continue
        try:
            send({"jsonrpc": "2.0", "result": handler(request.get("params") or {}), "id": rid})
        except BaseException as exc:  # plugin code may raise anything, SystemExit included
            kind = "serialization" if isinstance(exc, SerializationError) else getattr(exc, "kind", "exception")
            error = _error(exc, kind)
            error["data"]["logs"] = CURRENT.logs
            send({"jsonrpc": "2.0", "error": error, "id": rid})
            CURRENT.logs = []
            if isinstance(exc, KeyboardInterrupt):
                break


if __name__ == "__main__":
    main()
"""#
}
