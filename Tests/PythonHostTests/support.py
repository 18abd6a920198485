"""Makes the host's package importable from its source folder and helps tests build plugin folders.

Run with `python3 -B -m unittest discover -s Tests/PythonHostTests` (what `make test` does): -B keeps
bytecode out of the source folder, which SwiftPM embeds whole."""
import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap

HOST_SOURCES = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "Sources", "PluginHosts", "Python", "host"))
PACKAGE = os.path.join(HOST_SOURCES, "dagstack_host")
sys.dont_write_bytecode = True
if HOST_SOURCES not in sys.path:
    sys.path.insert(0, HOST_SOURCES)


# A background job of a non-interactive shell (`make test &` in a script or a CI step) starts with
# SIGINT ignored, and an ignored signal stays ignored in the children: the hosts these tests start must
# take Ctrl-C as the console's children do (the console resets it for them).
signal.signal(signal.SIGINT, signal.default_int_handler)

CACHE_HOME = tempfile.mkdtemp(prefix="dagstack-host-test-cache-")
atexit.register(shutil.rmtree, CACHE_HOME, True)


class PluginFolders:
    """Temporary plugin folders: `add(name, source)` writes `<root>/<name>/plugin.py`."""

    def __init__(self):
        self.root = os.path.realpath(tempfile.mkdtemp(prefix="dagstack-host-test-"))

    def add(self, name, source, module="plugin"):
        folder = os.path.join(self.root, name)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, module + ".py"), "w") as f:
            f.write(textwrap.dedent(source))
        return folder

    def spec(self, name, entry_point=None, resources=()):
        folder = os.path.join(self.root, name)
        return {"name": name, "folder": folder, "real_folder": os.path.realpath(folder), "entry_point": entry_point,
                "resources": list(resources)}

    def remove(self):
        shutil.rmtree(self.root, ignore_errors=True)


def modules_line():
    """What the console sends the bootstrap: every module of the package, as PythonHostSource does."""
    modules = {}
    for file in sorted(os.listdir(PACKAGE)):
        if file.endswith(".py"):
            name = "dagstack_host" if file == "__init__.py" else "dagstack_host." + file[:-3]
            with open(os.path.join(PACKAGE, file), encoding="utf-8") as f:
                modules[name] = ["dagstack_host/" + file, f.read()]
    return (json.dumps(modules) + "\n").encode()


class ConsoleRefusal(Exception):
    """What a test console answers a request of the host with, as an error."""


class HostProcess:
    """The host started exactly as the console starts it: `python3 -u -c <bootstrap.py>`, then the
    modules on the first line of its stdin."""

    def __init__(self, cwd, cache=None, env=None, answer=None):
        """`answer(method, params)` serves the host's own requests (a result, or raises ConsoleRefusal);
        without it every request of the host is refused."""
        with open(os.path.join(HOST_SOURCES, "bootstrap.py"), encoding="utf-8") as f:
            bootstrap = f.read()
        # The host keeps its compiled modules under $XDG_CACHE_HOME: the tests' own, not the user's.
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", XDG_CACHE_HOME=cache or CACHE_HOME, **(env or {}))
        self.answer = answer
        self.process = subprocess.Popen([sys.executable, "-u", "-c", bootstrap], cwd=cwd, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.process.stdin.write(modules_line())
        self.process.stdin.flush()
        self.ready = self.read()
        self.next_id = 1
        # Notifications (`importing`) seen while waiting for answers, in order.
        self.notifications = []

    def read(self):
        line = self.process.stdout.readline()
        if not line:
            raise AssertionError("the host closed its stdout; stderr: " + self.process.stderr.read().decode())
        return json.loads(line)

    def request(self, method, params=None):
        return self.reply(self.send(method, params))

    def send(self, method, params=None):
        """Sends a request without waiting for its answer (`reply` reads it); returns its id."""
        rid = self.next_id
        self.next_id += 1
        message = {"jsonrpc": "2.0", "method": method, "id": rid}
        if params is not None:
            message["params"] = params
        self.write(message)
        # What the plugin writes comes first, as `output` notifications, as it is written.
        self.notifications = []
        return rid

    def write(self, message):
        self.process.stdin.write((json.dumps(message) + "\n").encode())
        self.process.stdin.flush()

    def reply(self, rid):
        """The answer to request `rid`; notifications meanwhile are kept, requests of the host served."""
        reply = self.read()
        while "id" not in reply or "method" in reply:
            if "id" in reply:
                self.serve(reply)
            else:
                self.notifications.append(reply)
            reply = self.read()
        assert reply["id"] == rid, reply
        return reply

    def serve(self, request):
        self.notifications.append(request)
        try:
            if self.answer is None:
                raise ConsoleRefusal(f"the test console does not serve {request['method']}")
            answer = {"result": self.answer(request["method"], request.get("params") or {})}
        except ConsoleRefusal as refusal:
            answer = {"error": {"code": -32000, "message": str(refusal), "data": {"type": "RuntimeError"}}}
        self.write({"jsonrpc": "2.0", "id": request["id"], **answer})

    def close(self):
        if self.process.poll() is None:
            try:
                self.request("shutdown")
            except (AssertionError, BrokenPipeError, ValueError):
                pass
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            # Closing stdin flushes what is still buffered for it: a host that has exited makes
            # that a broken pipe, which is not the test's failure.
            try:
                stream.close()
            except (BrokenPipeError, OSError):
                pass
