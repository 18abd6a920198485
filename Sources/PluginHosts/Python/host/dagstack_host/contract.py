"""What the contract checks look at inside the interpreter: what a plugin left behind after its
teardown, and module-level mutable state in its source."""
import os

from . import awaiting, loading

# What the interpreter held when the plugin modules had been loaded: nothing in it is a plugin's leak.
BASELINE = {}


def children():
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


def open_fds():
    """Open file descriptors: fd -> what it points at."""
    found = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            found[int(fd)] = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            pass
    return found


def snapshot():
    return {"fds": open_fds(), "tasks": {id(t) for t in awaiting.running_tasks()}, "children": children()}


def take_baseline():
    BASELINE.update(snapshot())


def leaks_after_teardown(name):
    """What plugin `name` left behind since the modules were loaded: its instance still referenced,
    tasks still running, child processes, open descriptors. Forgets the plugin."""
    import gc
    import weakref

    plugin = loading.PLUGINS.pop(name, None)
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
    now = snapshot()
    for task in awaiting.running_tasks():
        if id(task) not in BASELINE.get("tasks", set()) and not task.done():
            leaks.append(f"asyncio task still running: {task.get_coro()!r}")
    for pid, command in now["children"].items():
        if pid not in BASELINE.get("children", {}):
            leaks.append(f"child process still running: pid {pid} ({command})")
    for fd, target in now["fds"].items():
        if fd not in BASELINE.get("fds", {}) and not target.startswith("/proc/"):
            leaks.append(f"file descriptor {fd} still open: {target}")
    return leaks


MUTABLE_CALLS = {"list", "dict", "set", "bytearray", "defaultdict", "OrderedDict", "Counter", "deque"}


def ambient_state(path):
    """Module-level assignments of mutable values in the file at `path` (the reference's AST scan)."""
    import ast

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
    return found
