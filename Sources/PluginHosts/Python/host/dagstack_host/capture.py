"""What plugins print and log during one call, kept with that call's result."""
import logging
import sys
import threading
import time

from . import awaiting, integrity


# What one call may keep of its output; the rest is counted and said to be dropped.
LIMIT = 1 << 20

# Called with each entry a call wrote, once the call has run for STREAM_AFTER seconds (the protocol
# sends it to the console): what a plugin wrote before it hung or crashed is not lost with its
# answer, and a quick call — nearly all — pays nothing for it (its answer carries its output).
SINK = None
STREAM_AFTER = 0.02
# How much of an unfinished line is streamed (the answer carries all of it, up to LIMIT).
PARTIAL_LIMIT = 4096

# When the call in progress started (None between calls), and what of its output was sent.
CALL_STARTED = None
STREAM_LOCK = threading.Lock()
# How many entries SINK was given since the process started.
STREAMED = 0

# Called with a notification's method and params (the protocol sends it): a batched chain's stage
# that runs long is announced before any of its output, so the console gives each stage its own
# time limit and, if one hangs, keeps the stages that finished and the output of the one that hung.
ANNOUNCE = None
BATCH = None

# How many pieces of plugin code are running, one inside another (a plugin's request to the console
# answered with a nested call into this interpreter).
DEPTH = 0
# Set by `debugger` while pdb has the terminal: shows each entry there as it is written.
ECHO = None
# Called with the depth left when a piece of plugin code is over (`debugger` ends its session).
UNIT_DONE = None


class Capture:
    """The output of one call: stdout and stderr lines and log records, in the order written, up to
    LIMIT characters; beyond it, how much of each stream was dropped."""

    def __init__(self):
        self.logs = []
        self.kept = 0
        self.dropped = {}
        self.sent = 0

    def add(self, entry):
        text = entry["text"]
        room = LIMIT - self.kept
        if len(text) > room:
            self.dropped[entry["stream"]] = self.dropped.get(entry["stream"], 0) + len(text) - max(room, 0)
            if room <= 0:
                return
            entry = dict(entry, text=text[:room])
        self.kept += len(entry["text"])
        self.logs.append(entry)
        if ECHO is not None:
            ECHO(entry)

    def write_stream(self, stream, text):
        if text:
            self.add({"stream": stream, "text": text})

    def finish(self):
        """Says how much was dropped, once the call is over."""
        for stream, count in self.dropped.items():
            self.logs.append({"stream": stream, "text": f"[… {count} more characters of {stream} not kept: the console "
                                                         f"keeps {LIMIT // 1024} KiB of a call's output]"})
        self.dropped = {}


class CapturedStream:
    """sys.stdout / sys.stderr while a plugin runs: whole lines go to the current capture."""

    def __init__(self, name):
        self.name = name
        self.buffer_text = ""
        # How long the unfinished line was when it was last streamed as a partial entry.
        self.partial_sent = 0

    def write(self, text):
        self.buffer_text += text
        while "\n" in self.buffer_text:
            line, self.buffer_text = self.buffer_text.split("\n", 1)
            self.partial_sent = 0
            CURRENT.write_stream(self.name, line)
        return len(text)

    def flush(self):
        if self.buffer_text:
            CURRENT.write_stream(self.name, self.buffer_text)
            self.buffer_text = ""
            self.partial_sent = 0

    def unfinished(self):
        """The line being written, when it grew since it was last streamed (at most PARTIAL_LIMIT
        characters of it): a plugin that hangs after `print(..., end="")` does not lose it."""
        text = self.buffer_text
        if not text or len(text) == self.partial_sent:
            return None
        self.partial_sent = len(text)
        return {"stream": self.name, "text": text[:PARTIAL_LIMIT], "partial": True}

    def isatty(self):
        return False


class LogHandler(logging.Handler):
    """The root logger's handler: every record goes to the current capture."""

    def emit(self, record):
        try:
            text = self.format(record)
        except Exception:
            text = str(record.msg)
        CURRENT.add({"stream": "log", "level": record.levelname, "logger": record.name, "text": text})


CURRENT = Capture()
# The capture of the call that finished last: what logs() reads. A call can run inside another (a
# plugin's request to the console, answered while the console calls into this interpreter again).
LAST = CURRENT
STDOUT, STDERR = CapturedStream("stdout"), CapturedStream("stderr")


def install_log_handler():
    """Routes logging (level INFO and up) into the capture; done once, by the protocol loop."""
    handler = LogHandler()
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)


def run_captured(fn):
    """Runs fn() (awaiting what it returns) with stdout, stderr and logging captured into a fresh
    capture, which the caller reads afterwards with logs(), on success or failure. A call inside
    another gets a capture of its own; the outer one's resumes after it. Then puts back anything the
    plugin code replaced in the modules every plugin shares (`integrity`): a call that did so fails."""
    global CURRENT, LAST, CALL_STARTED, DEPTH
    outer, outer_started = CURRENT, CALL_STARTED
    CURRENT = Capture()
    CALL_STARTED = time.perf_counter()
    DEPTH += 1
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = STDOUT, STDERR
    try:
        result = awaiting.resolve(fn())
    except BaseException:
        try:
            integrity.check()
        except integrity.TamperError:
            pass  # restored; the plugin's own exception is the one to report
        raise
    finally:
        STDOUT.flush()
        STDERR.flush()
        sys.stdout, sys.stderr = saved
        with STREAM_LOCK:  # a flush under way finishes before the call's answer is sent
            CALL_STARTED = outer_started
        CURRENT.finish()
        LAST, CURRENT = CURRENT, outer
        DEPTH -= 1
        if UNIT_DONE is not None:
            UNIT_DONE(DEPTH)
    if integrity.CHANGED:  # nothing to check unless plugin code assigned to a watched module
        integrity.check()
    return result


class ChainBatch:
    """Consecutive chain stages run in one exchange (methods.chain): the stage running, the stages
    finished and not yet announced, and where the batch's streamed output began."""

    def __init__(self):
        self.index = None
        self.plugin = None
        self.started = None
        self.announced = None
        self.finished = []
        self.reported = 0
        self.streamed_from = STREAMED


def batch_begin():
    global BATCH
    with STREAM_LOCK:
        BATCH = ChainBatch()


def batch_stage(index, plugin):
    """Stage `index` (of the batch) starts; the one before it, if any, put its record in first."""
    with STREAM_LOCK:
        BATCH.index, BATCH.plugin, BATCH.started = index, plugin, time.perf_counter()


def batch_finished(record):
    with STREAM_LOCK:
        BATCH.finished.append(record)


def batch_end():
    global BATCH
    with STREAM_LOCK:
        BATCH = None


def _announce_stage(now):
    """Tells the console which stage of the batch runs, once it has run STREAM_AFTER seconds, with the
    stages finished since the last announcement and how many output entries came before it."""
    batch = BATCH
    if ANNOUNCE is None or batch is None or batch.index is None or batch.announced == batch.index:
        return
    if now - batch.started < STREAM_AFTER:
        return
    done = batch.finished[batch.reported:]
    batch.reported = len(batch.finished)
    batch.announced = batch.index
    ANNOUNCE("chain_stage", {"index": batch.index, "plugin": batch.plugin, "elapsed_us": int((now - batch.started) * 1e6),
                             "streamed": STREAMED - batch.streamed_from, "done": done})


def stream_unsent(force=False):
    """Sends what the call in progress wrote and was not sent yet, once it has run STREAM_AFTER
    seconds (or at once with `force`, when the process is about to end) — in a batched chain, after
    announcing the stage it belongs to."""
    global STREAMED
    with STREAM_LOCK:
        now = time.perf_counter()
        _announce_stage(now)
        started, current = CALL_STARTED, CURRENT
        if SINK is None or started is None or (not force and now - started < STREAM_AFTER):
            return
        entries = current.logs[current.sent:]
        current.sent += len(entries)
        entries += [partial for partial in (STDOUT.unfinished(), STDERR.unfinished()) if partial is not None]
        for entry in entries:
            SINK(entry)
        STREAMED += len(entries)


def start_streaming():
    """A thread that sends a slow call's output as it comes (every STREAM_AFTER seconds)."""
    def run():
        while True:
            time.sleep(STREAM_AFTER)
            try:
                stream_unsent()
            except Exception:
                pass  # the console is gone or the line could not be written: the answer still carries it

    threading.Thread(target=run, name="dagstack-output", daemon=True).start()


def logs():
    """What the last captured call wrote."""
    return LAST.logs


def clear():
    global LAST
    LAST = Capture()
