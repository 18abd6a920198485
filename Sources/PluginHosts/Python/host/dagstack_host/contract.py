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


def threads():
    """Live threads other than the main one: ident -> thread."""
    import threading

    return {t.ident: t for t in threading.enumerate() if t is not threading.main_thread()}


def snapshot():
    return {"fds": open_fds(), "tasks": {id(t) for t in awaiting.running_tasks()}, "children": children(),
            "threads": set(threads())}


def take_baseline():
    BASELINE.clear()
    BASELINE.update(snapshot())


def host_owned():
    """Descriptors and threads the host itself made after the baseline: its event loop (created on
    first use: an async set-up that really awaits starts it) with its selector and self-pipe, and the
    loop's default executor threads. None of them is a plugin's to release."""
    fds, idents = set(), set()
    loop = awaiting.LOOP
    if loop is not None:
        selector = getattr(loop, "_selector", None)
        for owner in (selector, getattr(loop, "_ssock", None), getattr(loop, "_csock", None)):
            try:
                fds.add(owner.fileno())
            except (AttributeError, OSError, ValueError):
                pass
        executor = getattr(loop, "_default_executor", None)
        for thread in getattr(executor, "_threads", ()):
            idents.add(thread.ident)
    return fds, idents


def describe_fd(fd, target):
    """What descriptor `fd` is, in the words a plugin author knows it by: the file object and its path
    and mode, the socket and its addresses, a pipe, an eventfd."""
    import gc
    import io
    import socket

    for obj in gc.get_objects():
        try:
            if isinstance(obj, socket.socket) and obj.fileno() == fd:
                family = getattr(obj.family, "name", obj.family)
                kind = getattr(obj.type, "name", obj.type)
                where = _socket_addresses(obj)
                return f"socket fd {fd} ({family} {kind}{', ' + where if where else ''}) still open"
            if isinstance(obj, (io.IOBase,)) and not isinstance(obj, io.StringIO) and not obj.closed and obj.fileno() == fd:
                mode = getattr(obj, "mode", None)
                return f"file object fd {fd} still open: {target}" + (f" (mode {mode!r})" if isinstance(mode, str) else "")
        except (OSError, ValueError, AttributeError):
            continue
    if target.startswith("socket:"):
        return f"socket fd {fd} still open: {target}"
    if target.startswith("pipe:"):
        return f"pipe fd {fd} still open: {target}"
    if target.startswith("anon_inode:"):
        return f"{target[len('anon_inode:'):].strip('[]')} fd {fd} still open: {target}"
    return f"file descriptor {fd} still open: {target}"


def _socket_addresses(sock):
    parts = []
    for label, read in (("bound to", sock.getsockname), ("connected to", sock.getpeername)):
        try:
            address = read()
        except OSError:
            continue
        if address in ("", b"", None) or address == ("0.0.0.0", 0):
            continue
        parts.append(f"{label} {_address(address)}")
    return ", ".join(parts)


def _address(address):
    if isinstance(address, tuple) and len(address) >= 2:
        return f"{address[0]}:{address[1]}"
    return repr(address)


def describe_thread(thread):
    target = getattr(thread, "_target", None)
    what = f" (target {getattr(target, '__qualname__', repr(target))})" if target is not None else ""
    return f"thread {thread.name!r}{' (daemon)' if thread.daemon else ''} still running{what}"


def leaks_after_teardown(name):
    """What plugin `name` acquired since the baseline (taken when its modules had been loaded, before
    set-up) and still holds after its teardown: descriptors (files, sockets, pipes, eventfds), threads,
    child processes, asyncio tasks, and the instance itself. What the host made meanwhile is left
    out. Everything is looked at while the instance is still alive: garbage collection would close
    the files and sockets it forgot, hiding the leak. Forgets the plugin."""
    import gc
    import weakref

    gc.collect()  # what nothing holds any more is not held: only what is reachable counts
    now = snapshot()
    host_fds, host_threads = host_owned()
    leaks = []
    for task in awaiting.running_tasks():
        if id(task) not in BASELINE.get("tasks", set()) and not task.done():
            leaks.append(f"asyncio task still running: {task.get_coro()!r}")
    live = threads()
    for ident in sorted(now["threads"] - BASELINE.get("threads", set()) - host_threads, key=str):
        if ident in live and live[ident].is_alive():
            leaks.append(describe_thread(live[ident]))
    for pid, command in now["children"].items():
        if pid not in BASELINE.get("children", {}):
            leaks.append(f"child process still running: pid {pid} ({command})")
    for fd, target in sorted(now["fds"].items()):
        if fd not in BASELINE.get("fds", {}) and fd not in host_fds and not target.startswith("/proc/"):
            leaks.append(describe_fd(fd, target))
    plugin = loading.PLUGINS.pop(name, None)
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
    return leaks


MUTABLE_CALLS = {"list", "dict", "set", "bytearray", "defaultdict", "OrderedDict", "Counter", "deque"}


def ambient_state(path):
    """Module-level assignments of mutable values in the file at `path` (the reference's AST scan),
    and environment variables read when the module is imported (ADR-0003 #1: only set-up may)."""
    import ast

    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=path)
    found = _mutable_assignments(tree) + _import_time_environment_reads(tree)
    return sorted(found, key=lambda v: v["line"])


def _mutable_assignments(tree):
    import ast

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


def _import_time_environment_reads(tree):
    """`os.environ[...]`, `os.environ.get(...)`, `os.getenv(...)` (or `environ`/`getenv` imported
    from os) in code that runs at import: the module body and class bodies, not functions."""
    import ast

    def is_environ(node):
        return (isinstance(node, ast.Attribute) and node.attr == "environ" and isinstance(node.value, ast.Name)
                and node.value.id == "os") or (isinstance(node, ast.Name) and node.id == "environ")

    def reads(node):
        if isinstance(node, ast.Subscript) and is_environ(node.value):
            return "os.environ[...]"
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in ("get", "copy", "items", "keys", "values") and is_environ(func.value):
                return f"os.environ.{func.attr}()"
            if (isinstance(func, ast.Attribute) and func.attr == "getenv" and isinstance(func.value, ast.Name) and func.value.id == "os") \
                    or (isinstance(func, ast.Name) and func.id == "getenv"):
                return "os.getenv()"
        return None

    found = []

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return
        what = reads(node)
        if what:
            found.append({"name": what, "line": node.lineno, "kind": "environment_read", "severity": "error",
                          "message": "reads the environment when the module is imported: read it in setup() and keep the value"})
        for child in ast.iter_child_nodes(node):
            visit(child)

    for statement in tree.body:
        visit(statement)
    return found
