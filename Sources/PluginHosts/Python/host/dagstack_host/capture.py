"""What plugins print and log during one call, kept with that call's result."""
import logging
import sys

from . import awaiting


class Capture:
    """The output of one call: stdout and stderr lines and log records, in the order written."""

    def __init__(self):
        self.logs = []

    def write_stream(self, stream, text):
        if text:
            self.logs.append({"stream": stream, "text": text})


class CapturedStream:
    """sys.stdout / sys.stderr while a plugin runs: whole lines go to the current capture."""

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


class LogHandler(logging.Handler):
    """The root logger's handler: every record goes to the current capture."""

    def emit(self, record):
        try:
            text = self.format(record)
        except Exception:
            text = str(record.msg)
        CURRENT.logs.append({"stream": "log", "level": record.levelname, "logger": record.name, "text": text})


CURRENT = Capture()
STDOUT, STDERR = CapturedStream("stdout"), CapturedStream("stderr")


def install_log_handler():
    """Routes logging (level INFO and up) into the capture; done once, by the protocol loop."""
    handler = LogHandler()
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)


def run_captured(fn):
    """Runs fn() (awaiting what it returns) with stdout, stderr and logging captured into a fresh
    `CURRENT`, which the caller reads afterwards, on success or failure."""
    global CURRENT
    CURRENT = Capture()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = STDOUT, STDERR
    try:
        return awaiting.resolve(fn())
    finally:
        STDOUT.flush()
        STDERR.flush()
        sys.stdout, sys.stderr = saved


def logs():
    """What the last captured call wrote."""
    return CURRENT.logs


def clear():
    CURRENT.logs = []
