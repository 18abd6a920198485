"""Loading plugin modules from their folders and finding each plugin's class and hooks."""
import importlib.util
import os
import sys
import types

from . import debugger
from .values import describe


class PluginError(Exception):
    """A failure the host reports for a plugin; `kind` says what failed (load, no_hook, ...)."""

    def __init__(self, message, kind="load", detail=None):
        super().__init__(message)
        self.kind = kind
        # What the console shows below the message, in place of a traceback (a syntax error's line).
        self.detail = detail


# name -> {"instance", "hooks": {hook: {"takes_ctx": bool}}, "spec": what `load` was given}

# A hook gets ctx first when its first parameter has one of these names (`_ctx`: a linter's spelling
# of a parameter the hook does not use).
CTX_NAMES = ("ctx", "context", "_ctx", "_context")
PLUGINS = {}


def load_module(name, folder, real_folder, module_name):
    """Executes `<folder>/<module path>.py` as `dagstack._discovered.<plugin>.<module>`, as the
    reference's discovery does: without touching sys.path, and never a file outside the folder."""
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
            # The plugin's own package is its folder (and a package below it, that subfolder): a
            # module beside plugin.py is imported relative to it (`from .helpers import X`), each
            # plugin's apart from every other's although they share one interpreter.
            package.__path__ = [os.path.join(folder, *parts[3:i])] if i >= 3 else []
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
        debugger.run(name, None, execute)
    except BaseException as exc:
        del sys.modules[qualified]
        if debugger.quit_by_user(exc):
            raise PluginError(f"Failed to execute plugin module {path}: stopped in the debugger", kind="debugger_quit") from exc
        if isinstance(exc, SyntaxError):
            where = _syntax_error_where(exc)
            raise PluginError(f"Failed to execute plugin module {path}: {where}",
                              detail=where + _syntax_error_line(exc)) from exc
        raise PluginError(f"Failed to execute plugin module {path}: {type(exc).__name__}: {describe(exc)}"
                          f"{_own_module_hint(exc, folder)}") from exc
    return module


def _syntax_error_where(exc):
    """`SyntaxError: /path/plugin.py:3:19: invalid syntax`: the file, line and column (from 1) as an
    editor takes them, not Python's `invalid syntax (plugin.py, line 3)`."""
    where = exc.filename or "<unknown>"
    if exc.lineno:
        where += f":{exc.lineno}"
        if exc.offset and exc.offset > 0:
            where += f":{exc.offset}"
    return f"{type(exc).__name__}: {where}: {exc.msg}"


def _syntax_error_line(exc):
    """The line at fault and a caret under what Python marks (tabs before it kept, so the caret lines
    up in a terminal); empty when Python has no line to show."""
    text = (exc.text or "").rstrip("\r\n")
    if not text.strip() or not exc.offset or exc.offset < 1:
        return ""
    start = min(exc.offset - 1, len(text))
    width = 1
    if exc.end_offset and exc.end_offset > exc.offset and exc.end_lineno in (None, exc.lineno):
        width = exc.end_offset - exc.offset
    pad = "".join(c if c == "\t" else " " for c in text[:start])
    return f"\n    {text}\n    {pad}{'^' * width}"


def _own_module_hint(exc, folder):
    """For `import helpers` of a module in the plugin's own folder: how to import it instead."""
    missing = getattr(exc, "name", None) if isinstance(exc, ModuleNotFoundError) else None
    top = (missing or "").split(".")[0]
    if not top or not (os.path.isfile(os.path.join(folder, top + ".py")) or os.path.isdir(os.path.join(folder, top))):
        return ""
    return (f" ('{top}' is in the plugin's folder: import it relative to the plugin, `from .{top} import ...`; "
            f"plugins share one interpreter, so no plugin folder is on sys.path)")


def load_plugin(spec):
    """Loads one plugin (`spec` as the console sends it) and returns what was found: the entry point,
    whether it was inferred, and the hooks with whether each takes ctx first."""
    name, folder, entry = spec["name"], spec["folder"], spec.get("entry_point")
    inferred = None
    if entry:
        module_name, sep, class_name = entry.partition(":")
        if not sep or not module_name or not class_name:
            raise PluginError(f"Invalid entry_point {entry!r}: expected 'module.path:ClassName'")
        module = load_module(name, folder, spec["real_folder"], module_name)
        if not hasattr(module, class_name):
            raise PluginError(f"Module {module_name!r} has no attribute {class_name!r} (entry_point {entry!r})")
        cls = getattr(module, class_name)
    else:
        module = load_module(name, folder, spec["real_folder"], "plugin")
        cls, inferred = infer_class(module, spec.get("kind_hooks") or ())
        entry = f"plugin:{cls.__name__}"
    try:
        instance, _ = debugger.run(name, "__init__", cls)
    except BaseException as exc:
        raise PluginError(f"Failed to instantiate {entry}: {type(exc).__name__}: {describe(exc)}") from exc
    hooks = hooks_of(instance)
    PLUGINS[name] = {"instance": instance, "hooks": hooks, "spec": spec}
    return {"entry_point": entry, "class": cls.__name__, "inferred": inferred is not None, "inferred_because": inferred, "hooks": hooks,
            "module_file": getattr(module, "__file__", None)}


def infer_class(module, kind_hooks=()):
    """The plugin class of a plugin.py without an entry point, and why it is that one: its one
    top-level class; or, beside helper classes (a pydantic config model, an exception type, a
    dataclass), the one class that has `setup` or one of the kind's hooks."""
    classes = [v for v in vars(module).values() if isinstance(v, type) and v.__module__ == module.__name__]
    if len(classes) == 1:
        return classes[0], "plugin.py's only class"
    wanted = ("setup",) + tuple(kind_hooks)
    plugins = [c for c in classes if not issubclass(c, BaseException) and any(callable(getattr(c, h, None)) for h in wanted)]
    why = "the one class of plugin.py with setup or a hook of the kind"
    if not plugins:
        # No hookspec names the kind's hooks and no class has setup: the one class that is not a
        # helper (an exception, a dataclass, a pydantic model, an enum) and has methods of its own.
        plugins = [c for c in classes if not _is_helper(c) and any(
            callable(v) and not k.startswith("_") for k, v in vars(c).items())]
        why = "the one class of plugin.py with public methods that is not an exception, dataclass, model or enum"
    if len(plugins) == 1:
        others = ", ".join(c.__name__ for c in classes if c is not plugins[0])
        return plugins[0], f"{why}; beside it {others}"
    found = ", ".join(c.__name__ for c in (plugins or classes)) or "none"
    if not classes:
        reason = "plugin.py defines no top-level class"
    elif plugins:
        reason = f"plugin.py defines {len(plugins)} classes with setup or a hook of the kind ({found})"
        if not any(callable(getattr(c, h, None)) for c in plugins for h in wanted):
            reason = f"plugin.py defines {len(plugins)} classes that could be the plugin ({found})"
    else:
        reason = f"none of plugin.py's {len(classes)} top-level classes ({found}) has setup or a hook of the kind"
    raise PluginError(f"no entry_point in the manifest and {reason}; set entry_point = \"plugin:ClassName\" in dagstack.toml")


def _is_helper(cls):
    import enum

    return (issubclass(cls, (BaseException, enum.Enum)) or hasattr(cls, "__dataclass_fields__")
            or hasattr(cls, "model_fields") or hasattr(cls, "__fields__"))


def hooks_of(instance):
    """Every public method but setup/teardown, with whether it takes ctx first."""
    hooks = {}
    for attr in dir(instance):
        if attr.startswith("_") or attr in ("setup", "teardown"):
            continue
        method = getattr(instance, attr, None)
        if not callable(method) or isinstance(method, type):
            continue
        hooks[attr] = {"takes_ctx": first_parameter(method) in CTX_NAMES}
    return hooks


def takes_argument(method):
    """Whether a bound method takes a positional argument (setup and teardown get ctx only if they
    do); None when its signature cannot be read."""
    import inspect

    try:
        params = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):
        return None
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
    return any(p.kind in positional for p in params)


def first_parameter(method):
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
    skip = 1 if hasattr(method, "__func__") else 0  # a bound method: self (or cls) is already given
    return names[skip] if len(names) > skip else None
