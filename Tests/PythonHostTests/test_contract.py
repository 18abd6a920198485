import os
import unittest

import support
from dagstack_host import awaiting, capture, contract, loading, methods, observation


class AmbientStateTests(unittest.TestCase):
    def test_module_level_mutable_values_are_errors_and_upper_case_ones_warnings(self):
        folders = support.PluginFolders()
        self.addCleanup(folders.remove)
        folder = folders.add("scan", """
            import collections

            __all__ = ["P"]
            cache = {}
            SYNONYMS = {"launch": "start"}
            seen: list = []
            counts = collections.Counter()
            limit = 3

            class P:
                local = []
            """)
        found = contract.ambient_state(os.path.join(folder, "plugin.py"))
        self.assertEqual([(v["name"], v["line"], v["kind"], v["severity"]) for v in found], [
            ("cache", 5, "mutable_literal", "error"),
            ("SYNONYMS", 6, "mutable_literal", "warning"),
            ("seen", 7, "mutable_literal", "error"),
            ("counts", 8, "mutable_call", "error"),
        ])


    def test_environment_read_at_import_is_an_error_and_inside_functions_is_not(self):
        folders = support.PluginFolders()
        self.addCleanup(folders.remove)
        folder = folders.add("env", """
            import os
            from os import environ, getenv

            DEBUG = os.environ.get("DEBUG", "0")
            HOME = os.environ["HOME"]
            if getenv("X"):
                pass

            class P:
                level = environ.get("LEVEL")

                def setup(self, ctx):
                    self.token = os.getenv("TOKEN")
            """)
        found = contract.ambient_state(os.path.join(folder, "plugin.py"))
        self.assertEqual([(v["name"], v["line"], v["kind"], v["severity"]) for v in found], [
            ("os.environ.get()", 5, "environment_read", "error"),
            ("os.environ[...]", 6, "environment_read", "error"),
            ("os.getenv()", 7, "environment_read", "error"),
            ("os.environ.get()", 11, "environment_read", "error"),
        ])


class LeakTests(unittest.TestCase):
    def setUp(self):
        self.folders = support.PluginFolders()
        self.addCleanup(self.folders.remove)

    def run_plugin(self, name, source):
        """Loads, sets up and tears down plugin `name`, then inspects what it left, as the contract does:
        the host holds the instance only through its table, and forgets it after inspection."""
        self.folders.add(name, source)
        loading.load_plugin(self.folders.spec(name))
        contract.take_baseline()
        instance = loading.PLUGINS[name]["instance"]
        capture.run_captured(lambda: instance.setup(None))
        capture.run_captured(instance.teardown)
        instance = None
        leaks = contract.leaks_after_teardown(name)
        self.assertNotIn(name, loading.PLUGINS)
        return leaks

    def test_a_file_object_left_open_is_named_although_gc_would_close_it(self):
        target = os.path.join(self.folders.root, "data.txt")
        leaks = self.run_plugin("leaky", f"""
            class Leaky:
                def setup(self, ctx):
                    self.file = open({target!r}, "w")

                def teardown(self):
                    pass
            """)
        self.assertEqual(len(leaks), 1, leaks)
        self.assertRegex(leaks[0], r"^file object fd \d+ still open: " + target + r" \(mode 'w'\)$")

    def test_a_socket_and_a_thread_left_running_are_named(self):
        leaks = self.run_plugin("sockets", """
            import socket
            import threading

            class Sockets:
                def setup(self, ctx):
                    self.server = socket.socket()
                    self.server.bind(("127.0.0.1", 0))
                    self.stop = threading.Event()
                    self.worker = threading.Thread(target=self.stop.wait, name="poller")
                    self.worker.start()

                def teardown(self):
                    LEFT.append(self)  # what the test releases afterwards

            LEFT = []
            """)
        left = [m for m in __import__("sys").modules.values() if hasattr(m, "LEFT") and getattr(m, "LEFT")][0].LEFT[0]
        try:
            self.assertEqual(len(leaks), 3, leaks)
            self.assertEqual(leaks[0], "thread 'poller' still running (target Event.wait)")
            self.assertEqual(leaks[2], "the plugin instance is still referenced after teardown + gc (held by: list)")
            self.assertRegex(leaks[1], r"^socket fd \d+ \(AF_INET SOCK_STREAM, bound to 127\.0\.0\.1:\d+\) still open$")
        finally:
            left.stop.set()
            left.worker.join()
            left.server.close()

    def test_a_pipe_and_an_eventfd_left_open_are_named(self):
        leaks = self.run_plugin("pipes", """
            import os

            class Pipes:
                def setup(self, ctx):
                    self.fds = [*os.pipe(), os.eventfd(0)]

                def teardown(self):
                    KEPT.extend(self.fds)

            KEPT = []
            """)
        kept = [m for m in __import__("sys").modules.values() if getattr(m, "KEPT", None)][0].KEPT
        try:
            self.assertEqual(len(leaks), 3, leaks)
            self.assertRegex(leaks[0], r"^pipe fd \d+ still open: pipe:\[\d+\]$")
            self.assertRegex(leaks[1], r"^pipe fd \d+ still open: pipe:\[\d+\]$")
            self.assertRegex(leaks[2], r"^eventfd fd \d+ still open: anon_inode:\[eventfd\]$")
        finally:
            for fd in kept:
                os.close(fd)

    def test_the_hosts_own_event_loop_made_during_set_up_is_not_a_leak(self):
        closed = awaiting.LOOP is None
        leaks = self.run_plugin("awaits", """
            import asyncio

            class Awaits:
                async def setup(self, ctx):
                    await asyncio.sleep(0)
                    self.task = asyncio.create_task(asyncio.sleep(3600))

                async def teardown(self):
                    self.task.cancel()
                    try:
                        await self.task
                    except asyncio.CancelledError:
                        pass
            """)
        self.assertEqual(leaks, [])
        if closed:
            self.assertIsNotNone(awaiting.LOOP, "the set-up should have started the host's loop after the baseline")


class ObservationTests(unittest.TestCase):
    def setUp(self):
        import builtins

        self.open_at_start = builtins.open
        self.folders = support.PluginFolders()
        self.addCleanup(self.folders.remove)
        self.addCleanup(observation.end_quietly)

    def load(self, name, source):
        self.folders.add(name, source)
        loading.load_plugin(self.folders.spec(name))
        self.addCleanup(loading.PLUGINS.pop, name, None)

    def test_state_changes_environment_reads_blocking_calls_and_writes_are_seen_per_call(self):
        self.load("watched", """
            import os
            import time

            counter = 0

            class Watched:
                cache = {}

                def work(self, ctx, x):
                    global counter
                    counter += 1
                    self.cache[x] = os.environ.get("HOME")
                    time.sleep(0)
                    with open(os.devnull, "w"):
                        pass
                    ctx.checkpoint.save("k", {"x": x})
                    return counter
            """)
        observation.begin("watched")
        self.assertEqual(methods.call_one("watched", "work", [1], {}, None)[0], 1)
        seen = observation.end("watched")
        self.assertEqual(seen["state_changes"], [
            "class attribute Watched.cache (module plugin) changed: {} → {1: " + repr(os.environ.get("HOME")) + "}",
            "module global counter (module plugin) changed: 0 → 1",
        ])
        call = seen["calls"][0]
        self.assertEqual(call["env"], ["os.environ['HOME'] read at plugin.py:13"])
        self.assertEqual(call["blocking"], ["time.sleep(0) at plugin.py:14", "open('/dev/null', 'w') at plugin.py:15"])
        self.assertEqual(call["writes"], ["file '/dev/null' opened for writing at plugin.py:15", "checkpoint 'k' saved"])
        self.assertFalse(call["awaitable"])
        self.assertEqual(seen["checkpoint"], {"k": {"x": 1}})
        # Nothing shared is replaced while watching (the host's integrity check guards builtins), and
        # nothing stays patched once the watch ends.
        import builtins
        import socket
        self.assertIs(builtins.open, self.open_at_start)
        self.assertEqual(socket.socket.connect.__qualname__, "socket.connect")

    def test_a_checkpoint_store_can_stop_a_plugin_after_a_save_and_resume_it(self):
        self.load("steps", """
            class Steps:
                def work(self, ctx, n):
                    state, _ = ctx.checkpoint.load("run")
                    for i in range(state["next"] if state else 0, n):
                        ctx.checkpoint.save("run", {"next": i + 1})
                    return ctx.checkpoint.load("run")[0]
            """)
        from dagstack_host.sinks import SimulatedCrash
        observation.begin("steps", crash_after_checkpoints=0)
        with self.assertRaises(SimulatedCrash):
            methods.call_one("steps", "work", [3], {}, None)
        state = observation.end("steps")["checkpoint"]
        self.assertEqual(state, {"run": {"next": 1}})
        observation.begin("steps", checkpoint=state)
        self.assertEqual(methods.call_one("steps", "work", [3], {}, None)[0], {"next": 3})
        self.assertEqual(observation.end("steps")["checkpoint_saves"], ["run", "run"])


if __name__ == "__main__":
    unittest.main()
