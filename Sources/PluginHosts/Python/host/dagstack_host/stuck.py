"""Where plugin code was when the console stopped a call that hung (its time limit passed, or
Ctrl-C). Just before it stops the interpreter, the console sends SIGUSR2; the handler runs in the
main thread between two bytecodes of whatever runs there (a `while True: pass`, a `time.sleep` it
interrupts, the event loop's wait), and writes the plugin's innermost frames — of the main thread's
stack and of the coroutines the host's event loop is waiting on (`await asyncio.sleep(1e9)`) — to
the file the host named in its `ready` notification, which the console reads and shows with the
error.
Code that never returns to the interpreter (a C extension's loop) cannot answer: the console waits
a moment, then says only who hung."""
import linecache
import os
import signal
import sys

from . import awaiting

SIGNAL = signal.SIGUSR2
# The innermost frames of plugin code shown: enough for the loop and what called it.
SHOWN = 5
# Where the interpreter's own modules (the standard library, installed packages) are: not the plugin's.
_PREFIXES = tuple({os.path.join(p, "") for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)})
_HOST_DIR = os.path.join(os.path.dirname(__file__), "")


def install(encode):
    """Answers SIGUSR2 by writing where plugin code is to the file returned (`encode`: the host's own
    JSON encoder, which no plugin can have replaced). A name no one can guess: the temporary folder
    is shared."""
    path = os.path.join(os.environ.get("TMPDIR") or "/tmp", f"dagstack-where-{os.urandom(12).hex()}.json")

    def handler(signum, frame):
        try:
            text = encode(where(frame))
            partial = path + ".partial"
            with open(partial, "wb") as out:
                out.write(text)
            os.replace(partial, path)  # the console reads a whole answer or none
        except BaseException:  # noqa: BLE001 -- the console then says only who hung
            pass

    signal.signal(SIGNAL, handler)
    return path


def where(frame):
    """{"frames": [{"file", "line", "function", "source"}…]}, outermost first: the plugin's innermost
    frames, or, when none is the plugin's (it hung in a library), the innermost frames below the
    host's (`"plugin_frames": false`)."""
    frames = _stack(frame)
    for task in awaiting.running_tasks():
        frames += _coroutine_stack(task.get_coro())
    own = [f for f in frames if not _is_host(f[0])]
    plugin = [f for f in own if not _is_interpreters(f[0])]
    report = {"frames": [_describe(*f) for f in (plugin or own)[-SHOWN:]]}
    if not plugin:
        report["plugin_frames"] = False
    return report


def _stack(frame):
    """(file, line, function) of a thread's frames, outermost first."""
    frames = []
    while frame is not None:
        frames.append((frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name))
        frame = frame.f_back
    frames.reverse()
    return frames


def _coroutine_stack(coro):
    """A suspended coroutine and what it awaits, down to the innermost, outermost first. The host
    drives a coroutine that began without a loop from `awaiting._resume`, which holds it as `coro`."""
    frames, seen = [], set()
    while coro is not None and id(coro) not in seen:
        seen.add(id(coro))
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None) or getattr(coro, "ag_frame", None)
        if frame is None:
            break
        frames.append((frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name))
        following = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
        if following is None and frame.f_code is awaiting._resume.__code__:
            following = frame.f_locals.get("coro")
        coro = following
    return frames


def _is_host(filename):
    return filename.startswith(_HOST_DIR) or filename.startswith("<")


def _is_interpreters(filename):
    return filename.startswith(_PREFIXES)


def _describe(filename, line, function):
    return {"file": filename, "line": line, "function": function, "source": linecache.getline(filename, line).strip()}
