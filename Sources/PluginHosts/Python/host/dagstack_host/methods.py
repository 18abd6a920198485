"""What each request of the console does. Every method takes the request's params and returns its
result; what plugin code raises propagates to the protocol loop, which answers with `error()`."""
import importlib
import os
import sys
import time
import traceback

from . import capture, context, contract, debugger, loading, observation, values
from .context import CONTEXTS
from .shim import PLUGIN_SYSTEM
from .values import STOP_CHAIN_MARKER, SerializationError, copy_json, describe, from_json, to_json

# Sends a notification to the console (set by `protocol.main`); `load` says which plugin it imports,
# so a plugin whose import hangs or kills the interpreter is the one blamed, and timed on its own.
ANNOUNCE = None

# The metadata key that asks a call for the contract checks' strict serialisation.
CONTRACT_KEY = "_dagstack_contract"

# Where the host's own modules are: "dagstack_host" when embedded, the source folder under test.
HOST_DIR = os.path.dirname(__file__)


def _is_host_frame(filename):
    return filename.startswith(HOST_DIR + os.sep) or filename in _debugger_files()


def _debugger_files():
    """pdb's and bdb's own files, once imported: a breakpoint that fails or a quit from pdb is
    reported at the plugin's line, not inside the debugger."""
    return {getattr(sys.modules.get(name), "__file__", None) for name in ("pdb", "bdb")} - {None}


def plugin_traceback(exc):
    """The traceback from the plugin's own frames: the host's frames are the console's business."""
    try:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if not _is_host_frame(f.filename)]
        text = "Traceback (most recent call last):\n" if frames else ""
        return text + "".join(traceback.format_list(frames)) + _exception_line(exc)
    except BaseException:  # noqa: BLE001 -- a frame's source or repr may be plugin code that fails
        return _exception_line(exc)


def _exception_line(exc):
    """The traceback's last line as Python prints it: `ValueError: n too big`, or the type alone
    when the exception has no message (`raise KeyError()`), never `KeyError: `."""
    text = describe(exc)
    return f"{type(exc).__name__}: {text}\n" if text else f"{type(exc).__name__}\n"


def error_kind(exc):
    if isinstance(exc, SerializationError):
        return "serialization"
    if debugger.quit_by_user(exc):
        return "debugger_quit"
    return getattr(exc, "kind", "exception")


def error(exc, kind=None, with_logs=True):
    """The JSON-RPC error object for `exc`, with what the plugin wrote in the call that raised and
    how long pdb waited at its prompt before it did."""
    kind = kind or error_kind(exc)
    if kind == "debugger_quit":
        message = "stopped in the debugger"
    else:
        message = describe(exc) or type(exc).__name__
    detail = getattr(exc, "detail", None) if isinstance(exc, loading.PluginError) else None
    data = {"type": type(exc).__name__, "kind": kind if type(kind) is str else "exception",
            "traceback": detail or plugin_traceback(exc)}
    if with_logs:
        data["logs"] = capture.logs()
    if isinstance(exc, ConfigInvalid):
        data["fields"] = exc.fields
    waited = getattr(exc, "_dagstack_debugger_wait", None)
    if waited:
        data["debugger_us"] = int(waited * 1e6)
    return {"code": -32000, "message": message, "data": data}


def _waited(result, seconds):
    """Adds how long pdb waited at its prompt to a result, when it did."""
    if seconds:
        result["debugger_us"] = int(seconds * 1e6)
    return result


def _elapsed_us(started):
    return int((time.perf_counter() - started) * 1e6)


# Standard library modules whose import does something visible: never imported ahead of a plugin.
_NEVER_WARMED = frozenset({"__main__", "this", "antigravity", "idlelib", "turtle", "turtledemo", "tkinter"})


def _warmable(name):
    """Whether `name` is a module of the standard library (never a plugin's or a package's), safe to
    import before any plugin asks for it."""
    stdlib = getattr(sys, "stdlib_module_names", None)
    top = name.partition(".")[0]
    return stdlib is not None and top in stdlib and top not in _NEVER_WARMED


def load(params):
    before = set(sys.modules)
    CONTEXTS.configure(params.get("resources", {}))
    values.LIMITS.update(params.get("limits", {}))
    results = {}
    for spec in params["plugins"]:
        if ANNOUNCE is not None:
            ANNOUNCE("importing", {"plugin": spec["name"]})
        try:
            results[spec["name"]] = {"ok": True, **loading.load_plugin(spec)}
        except loading.PluginError as exc:
            results[spec["name"]] = {"ok": False, "error": error(exc, "load", with_logs=False)}
    contract.take_baseline()
    # What the console's spare interpreter for the next load imports ahead (see `warm`).
    warm = sorted(name for name in list(sys.modules) if name not in before and _warmable(name))
    return {"plugins": results, "python": sys.version.split()[0],
            "dagstack_package": getattr(PLUGIN_SYSTEM, "__file__", None) is not None, "warm": warm}


def warm(params):
    """In an interpreter started ahead for the next load of a directory (no plugin loaded yet):
    imports the standard library modules the last load imported, so that the load does not wait
    for them (`dataclasses` alone is ~6 ms). Only the standard library, never a plugin's own module
    or an installed package's, whose import could run code the plugin expects to run at its own
    import. A module that fails to import is left for the plugin's import to report."""
    imported = []
    for name in params.get("modules", []):
        if not _warmable(name) or name in sys.modules:
            continue
        try:
            importlib.import_module(name)
        except Exception:
            continue
        imported.append(name)
    return {"imported": imported}


def _context(name, metadata=None):
    spec = loading.PLUGINS[name]["spec"]
    return CONTEXTS.get(name, spec.get("resources", []), metadata, spec.get("optional_resources", ()))


class ConfigInvalid(Exception):
    """The plugin's config section does not fit its config_schema. `fields`: the key paths at fault
    in the section, for the console to say where each value was set."""

    kind = "config_invalid"

    def __init__(self, message, fields=()):
        super().__init__(message)
        self.fields = [[str(step) for step in field] for field in fields]


def check_config(name, instance, config):
    """Validates `config` with the plugin class's `config_schema` (a pydantic model, guides/configuration)
    before set-up. The error names each field at fault by its path in the application config, and
    never shows a value: the section may hold secrets."""
    schema = getattr(type(instance), "config_schema", None)
    if schema is None:
        return
    validate = getattr(schema, "model_validate", None) or getattr(schema, "parse_obj", None)
    if validate is None:
        raise ConfigInvalid(f"config_schema of plugin {name!r} is not a pydantic model (no model_validate)")
    try:
        validate(config)
    except Exception as exc:
        errors = getattr(exc, "errors", None)
        if not callable(errors):
            raise ConfigInvalid(f"{type(exc).__name__}: {exc}") from None
        section = loading.PLUGINS[name]["spec"].get("config_section") or name
        parts, fields = [], []
        for e in errors():
            fields.append(e.get("loc", ()))
            where = section
            for step in e.get("loc", ()):
                where += f"[{step}]" if isinstance(step, int) else f".{step}"
            parts.append(f"{where}: {e.get('msg', 'invalid')}")
        raise ConfigInvalid("; ".join(parts), fields) from None


def setup(params):
    name = params["plugin"]
    instance = loading.PLUGINS[name]["instance"]
    if "config" in params:
        CONTEXTS.set_config(name, params["config"])
    check_config(name, instance, params.get("config") or {})
    hook = getattr(instance, "setup", None)
    waited = 0
    if hook is not None:
        outer, context.CALLER = context.CALLER, name
        # Called as written: `def setup(self, ctx)` as the guide writes it, `def setup(self)` without.
        if loading.takes_argument(hook) is False:
            run = hook
        else:
            run = lambda: hook(_context(name, params.get("metadata")))  # noqa: E731
        try:
            _, waited = debugger.run(name, "setup", run)
        finally:
            context.CALLER = outer
    return _waited({"logs": capture.logs()}, waited)


def setup_many(params):
    """Several set-ups in one exchange, in order, stopping after the first that raises. Returns each
    that ran, with its logs and time, or its error."""
    results = []
    for entry in params["plugins"]:
        started = time.perf_counter()
        try:
            done = setup(entry)
            done.update(plugin=entry["plugin"], duration_us=_elapsed_us(started))
            results.append(done)
        except BaseException as exc:
            results.append({"plugin": entry["plugin"], "error": error(exc)})
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            break
    return {"results": results}


def teardown(params):
    name = params["plugin"]
    instance = loading.PLUGINS[name]["instance"]
    hook = getattr(instance, "teardown", None)
    # Called as written: `def teardown(self)` as the guide writes it, with its ctx if it takes one.
    if hook is not None and loading.takes_argument(hook):
        ctx = _context(name)
        run = lambda: hook(ctx)  # noqa: E731
    else:
        run = hook
    CONTEXTS.forget(name)
    waited = 0
    if hook is not None:
        _, waited = debugger.run(name, "teardown", run)
    return _waited({"logs": capture.logs()}, waited)


def call_one(name, hook, args, kwargs, metadata, debug=False, sent=None):
    """Runs one hook; returns (value as JSON, logs, seconds pdb waited at its prompt, what it returned
    when that was None — see `_returned_none`). Raises what the plugin raises. With `debug`, pdb stops
    at the first line of the hook (the console's `debug`). `sent`: the arguments as they were before
    the call, when `args` are already in the form plugins receive (a chain stage's input is the
    previous stage's output, handed on without a copy): without it, `args` themselves are."""
    plugin = loading.PLUGINS[name]
    info = plugin["hooks"].get(hook)
    if info is None:
        raise loading.PluginError(f"plugin {name!r} has no hook {hook!r}", kind="no_hook")
    method = getattr(plugin["instance"], hook)
    if sent is None:
        sent = list(args)
    sent = sent + ([kwargs] if kwargs else [])
    args = [from_json(a) for a in args]
    if kwargs:
        kwargs = {k: from_json(v) for k, v in kwargs.items()}
    strict = False
    if metadata and CONTRACT_KEY in metadata:
        metadata = dict(metadata)
        strict = bool(metadata.pop(CONTRACT_KEY))
    if info["takes_ctx"]:
        ctx = _context(name, metadata)
        run = lambda: method(ctx, *args, **kwargs)  # noqa: E731
    else:
        run = lambda: method(*args, **kwargs)  # noqa: E731
    if debug:
        run = debugger.stepping_into(method, run)
    outer, context.CALLER = context.CALLER, name
    try:
        if observation.CURRENT is None:  # the usual case: nobody watches, nothing more to pay
            result, waited = debugger.run(name, hook, run)
        else:
            with observation.watching(name, hook) as watch:
                result, waited = debugger.run(name, hook, lambda: watch.returned(run()))
    finally:
        context.CALLER = outer
    try:
        value = to_json(result, strict=strict)
    except SerializationError as exc:
        # The console names the plugin and hook.
        raise SerializationError(f"the hook returned a value JSON cannot carry: {exc}") from None
    nothing = _returned_none(list(args) + ([kwargs] if kwargs else []), sent) if result is None else None
    return value, capture.logs(), waited, nothing


def _returned_none(values, sent):
    """A hook returned None: the console says so, and whether the hook changed the values it was
    given (each parsed from `sent`) in place instead, which a chain does not pass on."""
    def changed(value, original):
        try:
            return to_json(value) != original
        except BaseException:  # noqa: BLE001 -- it now holds something JSON cannot carry: changed
            return True
    return {"as": "None", "input_changed": any(changed(v, s) for v, s in zip(values, sent))}


def call(params):
    value, logs, waited, nothing = call_one(params["plugin"], params["hook"], params.get("args", []), params.get("kwargs", {}),
                                            params.get("metadata"), params.get("debug", False))
    result = {"value": value, "logs": logs}
    if nothing:
        result["returned_nothing"] = nothing
    return _waited(result, waited)


def chain(params):
    """Consecutive chain stages in one exchange: each stage's output is the next one's input; stops
    after STOP_CHAIN or an error. Returns every stage that ran, with its output, logs and time. A
    stage that runs long is announced to the console as it starts (capture.batch_*)."""
    value = params["value"]
    # The stage's input as it came, to tell whether a stage that returned None changed it in place:
    # the copy in `value` is the very object the stage gets.
    sent = value
    stages = []
    capture.batch_begin()
    try:
        for index, name in enumerate(params["plugins"]):
            capture.batch_stage(index, name)
            started = time.perf_counter()
            try:
                output, logs, waited, nothing = call_one(name, params["hook"], [value], params.get("kwargs", {}),
                                                         params.get("metadata"), name == params.get("debug"), [sent])
                stage = {"plugin": name, "value": output, "logs": logs, "duration_us": _elapsed_us(started)}
                if nothing:
                    stage["returned_nothing"] = nothing
                stages.append(_waited(stage, waited))
            except BaseException as exc:
                stages.append({"plugin": name, "error": error(exc), "duration_us": _elapsed_us(started)})
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                break
            capture.batch_finished(stages[-1])
            if output == STOP_CHAIN_MARKER:
                break
            # The next stage may change its input in place: it gets a copy, so this stage's output
            # stays what this stage returned.
            sent = output
            value = copy_json(output)
    finally:
        capture.batch_end()
    return {"stages": stages}


def post_mortem(params):
    """pdb on the exception the plugin's code raised last (the console's `pm`)."""
    return debugger.post_mortem(params["plugin"])


def inspect(params):
    """After teardown: what the plugin left behind since the modules were loaded."""
    return {"leaks": contract.leaks_after_teardown(params["plugin"])}


def observe_begin(params):
    """Starts watching what a plugin's hooks do besides answering (the contract checks)."""
    return observation.begin(params["plugin"], params.get("checkpoint"), params.get("crash_after_checkpoints"))


def observe_end(params):
    return observation.end(params["plugin"])


def ambient_state(params):
    return {"violations": contract.ambient_state(params["file"])}


METHODS = {"load": load, "warm": warm, "setup": setup, "setup_many": setup_many, "teardown": teardown, "call": call, "chain": chain,
           "post_mortem": post_mortem, "inspect": inspect, "ambient_state": ambient_state, "observe_begin": observe_begin, "observe_end": observe_end}
