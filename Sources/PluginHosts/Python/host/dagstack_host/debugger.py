"""pdb in plugin code, on the console's terminal.

`breakpoint()`, `pdb.set_trace()`, `pdb.post_mortem()` (and anything else that makes a `pdb.Pdb`) in
plugin code get a real pdb session: when pdb is imported its `Pdb` class is replaced by `ConsolePdb`,
which borrows the console's terminal for as long as the piece of plugin code that stopped runs (a
hook call, a set-up, a teardown, the import of a module). The console lends it as a pseudo-terminal
of its own (answering the `debugger.open` request with its path) and relays the user's keys to it;
the protocol pipes are never involved. While pdb waits at its prompt the host says so (`debugger`
notifications `stopped` and `resumed`), so the console's time limits do not run.

Without a terminal (a script, `-c`, `--json`, replay) the console refuses the request and the
breakpoint fails at once with a message saying so; `PYTHONBREAKPOINT=0` makes `breakpoint()` do
nothing, as in Python.

The console also starts pdb itself: a hook call with `"debug": true` stops at the first line of the
hook (`debug`, and `into` while stepping), and `post_mortem` opens pdb on the last exception a
plugin raised (`pm`)."""
import os
import sys
import threading
import time

from . import capture
from .values import describe

# Set by protocol.main: a request to the console (answered, or raising its error) and a notification.
CALL_CONSOLE = None
NOTIFY = None

# Module name patterns of the host's own frames: pdb never stops in them, nor lists them.
HOST_MODULES = ("dagstack_host", "dagstack_host.*", "__main__")
_HOST_PREFIX = "dagstack_host."

# "breakpoint()" while sys.breakpointhook runs: names what asked for the debugger in messages.
ORIGIN = None
# The pieces of plugin code running now, innermost last: (plugin, what) — ("normalizer", "rewrite").
WHERE = []
# The open session, if any (one at a time: there is one terminal).
SESSION = None
# Seconds pdb has waited at its prompt since the host started (units read the difference).
WAITED = 0.0
# plugin name -> (the exception its code raised last, what raised it: ("normalizer", "rewrite")),
# cleared when its code next succeeds: `pm`.
LAST_FAILURES = {}
# readline history is read once per interpreter from the console's file.
_HISTORY = {"loaded": False}


class DebuggerUnavailable(RuntimeError):
    """The console cannot lend a terminal to pdb (it runs a script, -c, --json or a replay)."""


class NoPostMortem(Exception):
    """`pm` has no exception of that plugin to look at."""

    kind = "no_post_mortem"


def is_host_module(name):
    return name is not None and (name == "dagstack_host" or name.startswith(_HOST_PREFIX) or name == "__main__")


def where():
    """The piece of plugin code running now, as messages name it: `normalizer.rewrite`."""
    if not WHERE:
        return "plugin code"
    plugin, what = WHERE[-1]
    return f"{plugin}'s module" if what is None else f"{plugin}.{what}"


def run(plugin, what, fn, outcome=True):
    """Runs a piece of `plugin`'s code (`what`: a hook, setup, teardown, None for its module) with its
    output captured. Returns its result and the seconds pdb waited at its prompt meanwhile (an
    exception carries them as `_dagstack_debugger_wait`). With `outcome`, what it raised is kept for
    `pm`, and a success forgets the plugin's last failure."""
    WHERE.append((plugin, what))
    mark = WAITED
    try:
        result = capture.run_captured(fn)
    except BaseException as exc:
        try:
            exc._dagstack_debugger_wait = WAITED - mark
        except Exception:  # noqa: BLE001 -- an exception type without attributes
            pass
        if outcome:
            remember_failure(plugin, exc)
        raise
    finally:
        WHERE.pop()
    if outcome and LAST_FAILURES:
        LAST_FAILURES.pop(plugin, None)
    return result, WAITED - mark


# MARK: The session


class Session:
    """The console's terminal, borrowed: the pseudo-terminal the console relays is put on file
    descriptors 0 and 1 (where Python's input() uses readline: line editing and history) for as
    long as the piece of plugin code that stopped runs, then they are put back."""

    def __init__(self, tty, depth, origin, history=None):
        self.depth = depth
        self.origin = origin
        self.history = history
        self.header_shown = False
        # The debuggers made in this session: each stops tracing when it ends.
        self.debuggers = []
        fd = os.open(tty, os.O_RDWR | os.O_NOCTTY)
        self.saved = (os.dup(0), os.dup(1))
        os.dup2(fd, 0)
        os.dup2(fd, 1)
        os.close(fd)
        import io

        self.input = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8", errors="replace")
        self.output = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="replace",
                                       write_through=True)

    def echo(self, entry):
        """What plugin code prints or logs while the user steps through it: shown as it is written
        (and kept with the call's output as always)."""
        text = entry["text"]
        if entry["stream"] == "log":
            text = f"log {str(entry.get('level') or '').lower()} │ {text}"
        try:
            self.output.write(text + "\n")
        except (OSError, ValueError):
            pass

    def close(self):
        try:
            self.output.flush()
        except (OSError, ValueError):
            pass
        os.dup2(self.saved[0], 0)
        os.dup2(self.saved[1], 1)
        os.close(self.saved[0])
        os.close(self.saved[1])


def open_session(origin):
    """The session for the plugin code running now, opened if needed; raises DebuggerUnavailable
    with a message naming what asked for it and where, when the console has no terminal to lend."""
    global SESSION
    if SESSION is not None:
        return SESSION
    place = where()
    if threading.current_thread() is not threading.main_thread():
        raise DebuggerUnavailable(f"{origin} in {place} was called in thread {threading.current_thread().name!r}: "
                                  f"the console lends its terminal to the plugin's main thread only")
    if CALL_CONSOLE is None:
        raise DebuggerUnavailable(f"{origin} in {place} needs an interactive console")
    try:
        answer = CALL_CONSOLE("debugger.open", {"where": place, "origin": origin})
    except Exception as refused:  # the console's refusal (ConsoleRequestError) or its absence
        hint = "; set PYTHONBREAKPOINT=0 to make breakpoint() do nothing" if origin == "breakpoint()" else ""
        raise DebuggerUnavailable(f"{origin} in {place} needs an interactive console: {refused}{hint}") from None
    try:
        SESSION = Session(answer["tty"], capture.DEPTH, origin, answer.get("history"))
    except OSError as exc:
        NOTIFY("debugger", {"event": "closed"})
        raise DebuggerUnavailable(f"{origin} in {place}: the console's terminal could not be opened: {exc}") from None
    capture.ECHO = SESSION.echo
    return SESSION


def close_session():
    """Ends the session when the piece of plugin code it was opened for is over: tracing stops (a
    call that continued or quit leaves nothing behind), pdb's Ctrl-C handler is put back, the
    terminal goes back to the console."""
    global SESSION
    session, SESSION = SESSION, None
    if session is None:
        return
    capture.ECHO = None
    for debugger in session.debuggers:
        stop = getattr(debugger, "stop_trace", None)  # Python 3.14's bdb, whatever its backend
        if stop is not None:
            try:
                stop()
            except Exception:  # noqa: BLE001
                pass
    sys.settrace(None)
    frame = sys._getframe()
    while frame is not None:
        frame.f_trace = None
        frame = frame.f_back
    pdb = sys.modules.get("pdb")
    previous = getattr(getattr(pdb, "Pdb", None), "_previous_sigint_handler", None)
    if previous is not None:
        import signal

        try:
            signal.signal(signal.SIGINT, previous)
        except (ValueError, TypeError):
            pass
        pdb.Pdb._previous_sigint_handler = None
    _save_history(session)
    try:
        session.close()
    finally:
        NOTIFY("debugger", {"event": "closed"})


def unit_finished(depth):
    """Called when a piece of plugin code at `depth` is over (capture.run_captured)."""
    if SESSION is not None and depth < SESSION.depth:
        close_session()


def _load_history(session):
    if _HISTORY["loaded"] or not session.history:
        return
    _HISTORY["loaded"] = True
    readline = sys.modules.get("readline")
    if readline is None:
        return
    readline.set_history_length(1000)
    try:
        readline.read_history_file(session.history)
    except OSError:
        pass


def _save_history(session):
    readline = sys.modules.get("readline")
    if readline is None or not session.history or not _HISTORY["loaded"]:
        return
    try:
        readline.write_history_file(session.history)
        os.chmod(session.history, 0o600)
    except OSError:
        pass


# MARK: pdb


def _origin(pdb_module):
    """What made this Pdb, for messages: the module function that called the constructor."""
    if ORIGIN is not None:
        return ORIGIN
    codes = {}
    for name in ("set_trace", "post_mortem", "pm", "runcall", "run", "runeval"):
        function = getattr(pdb_module, name, None)
        code = getattr(function, "__code__", None)
        if code is not None:
            codes[code] = f"pdb.{name}()"
    frame = sys._getframe(2)
    for _ in range(3):
        if frame is None:
            break
        if frame.f_code in codes:
            return codes[frame.f_code]
        frame = frame.f_back
    return "pdb.Pdb()"


def console_pdb_class(base, pdb_module):
    """pdb.Pdb on the console's terminal, never stopping in (nor listing) the host's own frames."""

    class ConsolePdb(base):
        def __init__(self, completekey="tab", stdin=None, stdout=None, skip=None, *args, **kwargs):
            session = open_session(kwargs.pop("_origin", None) or _origin(pdb_module))
            super().__init__(completekey, stdin, stdout, list(skip or ()) + list(HOST_MODULES), *args, **kwargs)
            if stdin is None:
                self.stdin = session.input
            if stdout is None:
                self.stdout = session.output
            _load_history(session)
            session.debuggers.append(self)
            # The code whose first line `debug` stops at; None once reached (or for a breakpoint).
            self._entry = None
            # Said once, under the session's header (`pm`: the exception).
            self.preface = None

        def get_stack(self, f, t):
            stack, index = super().get_stack(f, t)
            current = stack[index] if 0 <= index < len(stack) else None
            kept = [entry for entry in stack if not is_host_module(entry[0].f_globals.get("__name__"))]
            if current is None or not kept:
                return kept, max(0, len(kept) - 1)
            index = next((i for i, entry in enumerate(kept) if entry is current), len(kept) - 1)
            return kept, index

        # While seeking the first line of the hook (`debug`), no other event stops.
        def user_call(self, frame, argument_list):
            if self._entry is None:
                super().user_call(frame, argument_list)

        def user_return(self, frame, return_value):
            if self._entry is None:
                super().user_return(frame, return_value)

        def user_exception(self, frame, exc_info):
            if self._entry is None:
                super().user_exception(frame, exc_info)

        def user_line(self, frame):
            if self._entry is not None:
                if frame.f_code is not self._entry:
                    return
                self._entry = None
            super().user_line(frame)

        def interaction(self, frame, traceback):
            global WAITED
            session = open_session("pdb")
            if not session.header_shown:
                session.header_shown = True
                if session.origin == "pm":
                    self.message(f"[dagstack] post-mortem of {where()}: q (or c) leaves it")
                else:
                    self.message(f"[dagstack] pdb in {where()}: c continues the call, q stops it")
            if self.preface:
                self.message(self.preface)
                self.preface = None
            NOTIFY("debugger", {"event": "stopped", "where": where()})
            started = time.perf_counter()
            saved = sys.stdin, sys.stdout
            # input() uses readline only when sys.stdin and sys.stdout are descriptors 0 and 1.
            sys.stdin, sys.stdout = session.input, session.output
            try:
                super().interaction(frame, traceback)
            finally:
                sys.stdin, sys.stdout = saved
                WAITED += time.perf_counter() - started
                NOTIFY("debugger", {"event": "resumed"})

    ConsolePdb.__name__ = ConsolePdb.__qualname__ = "Pdb"
    ConsolePdb.__module__ = "pdb"
    return ConsolePdb


def patch_pdb(module):
    if getattr(module.Pdb, "_dagstack", False):
        return
    module.Pdb = console_pdb_class(module.Pdb, module)
    module.Pdb._dagstack = True


class _PatchingLoader:
    """pdb's own loader, then the patch."""

    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        patch_pdb(module)

    def __getattr__(self, name):
        return getattr(self.loader, name)


class PdbFinder:
    """A meta path finder for `pdb` alone: whenever plugin code (or breakpoint()) imports it, its Pdb
    is the console's. Every other import is untouched."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name != "pdb":
            return None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _PatchingLoader(spec.loader)
        return spec


def breakpointhook(*args, **kwargs):
    """sys.breakpointhook: Python's own (PYTHONBREAKPOINT=0 does nothing, another value names the
    debugger to use), remembering that breakpoint() asked. For pdb, the terminal is asked for first:
    without one the breakpoint fails before pdb is even imported."""
    global ORIGIN
    if os.environ.get("PYTHONBREAKPOINT", "") in ("", "pdb.set_trace"):
        open_session("breakpoint()")
    ORIGIN = "breakpoint()"
    try:
        return sys.__breakpointhook__(*args, **kwargs)
    finally:
        ORIGIN = None


def install():
    """Done once, by the protocol loop, before any plugin module is imported."""
    capture.UNIT_DONE = unit_finished
    sys.meta_path.insert(0, PdbFinder)
    if "pdb" in sys.modules:
        patch_pdb(sys.modules["pdb"])
    sys.breakpointhook = breakpointhook


# MARK: What the console starts


def stepping_into(method, run):
    """`run` (which calls `method`) under pdb, stopped at the first line of `method`'s own code —
    also when it is a coroutine, whose body runs when it is awaited."""
    import pdb

    code = getattr(_unwrapped(method), "__code__", None)

    def start():
        debugger = pdb.Pdb(_origin="debug")
        debugger._entry = code
        debugger.set_trace(sys._getframe())
        return run()

    return start


def _unwrapped(method):
    function = getattr(method, "__func__", method)
    seen = 0
    while hasattr(function, "__wrapped__") and seen < 100:
        function = function.__wrapped__
        seen += 1
    return function


def quit_by_user(exc):
    """Whether `exc` is pdb's `q` (BdbQuit) ending the plugin code it stopped in."""
    bdb = sys.modules.get("bdb")
    return bdb is not None and isinstance(exc, bdb.BdbQuit)


def remember_failure(plugin, exc):
    """Keeps what a plugin's code raised for `pm` (not a quit from the debugger, nor an exception
    with none of the plugin's frames in it)."""
    if quit_by_user(exc) or isinstance(exc, DebuggerUnavailable):
        return
    if _plugin_traceback(exc.__traceback__) is not None:
        LAST_FAILURES[plugin] = (exc, WHERE[-1][1] if WHERE else None)


def succeeded(plugin):
    if LAST_FAILURES:
        LAST_FAILURES.pop(plugin, None)


def _plugin_traceback(tb):
    """The traceback from its first frame of plugin code on: pdb's `up` stops at the plugin's own."""
    while tb is not None and is_host_module(tb.tb_frame.f_globals.get("__name__")):
        tb = tb.tb_next
    return tb


def post_mortem(plugin):
    """pdb on the exception `plugin`'s code raised last, in its frames (IPython's %debug). Run as a
    piece of the plugin's code (`run`, without outcome: the exception stays for another `pm`)."""
    failure = LAST_FAILURES.get(plugin)
    if failure is None:
        raise NoPostMortem(f"plugin {plugin!r} has no exception to look at: its code raised none since the "
                           f"interpreter started, or its last call succeeded")
    exc, what = failure

    def look():
        import pdb

        debugger = pdb.Pdb(_origin="pm")
        debugger.reset()
        debugger.preface = f"{type(exc).__name__}: {describe(exc)}"
        debugger.interaction(None, _plugin_traceback(exc.__traceback__))

    _, waited = run(plugin, what, look, outcome=False)
    return {"exception": f"{type(exc).__name__}: {describe(exc)}", "where": f"{plugin}.{what}" if what else plugin,
            "debugger_us": int(waited * 1e6)}
