import os
import signal
import time
import unittest

import support


class StuckTests(unittest.TestCase):
    """On SIGUSR2 (sent by the console just before it stops a call that hung) the host writes where
    the plugin's code was to the file it named in its `ready` notification: its innermost frames,
    with the source line, whether it spins, sleeps or awaits."""

    def setUp(self):
        self.folders = support.PluginFolders()
        self.addCleanup(self.folders.remove)
        self.folders.add("spins", """
            def spin(n):
                while True:
                    n += 1

            class Spins:
                def f(self, value):
                    return spin(value)
            """)
        self.folders.add("awaits", """
            import asyncio

            async def forever():
                await asyncio.sleep(1e9)

            class Awaits:
                async def f(self, value):
                    await forever()
                    return value
            """)
        self.folders.add("sleeps", """
            import time

            class Sleeps:
                def f(self, value):
                    time.sleep(1e6)
            """)

    def where(self, plugin):
        host = support.HostProcess(cwd=self.folders.root)
        answer = host.ready["params"]["where_file"]
        self.addCleanup(lambda: os.path.exists(answer) and os.remove(answer))
        self.assertFalse(os.path.exists(answer))
        try:
            host.request("load", {"plugins": [self.folders.spec(plugin)], "resources": {}, "config": {}})
            host.send("call", {"plugin": plugin, "hook": "f", "args": [1], "kwargs": {}})
            time.sleep(0.3)
            os.kill(host.process.pid, signal.SIGUSR2)
            until = time.monotonic() + 5
            while not os.path.exists(answer) and time.monotonic() < until:
                time.sleep(0.01)
            with open(answer, encoding="utf-8") as f:
                return support.json.load(f)
        finally:
            host.process.kill()
            host.process.wait()
            for stream in (host.process.stdin, host.process.stdout, host.process.stderr):
                stream.close()

    def test_a_loop_is_found_in_the_function_it_spins_in(self):
        path = os.path.join(self.folders.root, "spins", "plugin.py")
        frames = self.where("spins")["frames"]
        self.assertEqual([(f["file"], f["line"], f["function"], f["source"]) for f in frames[:1]],
                         [(path, 8, "f", "return spin(value)")])
        # The loop's test or its body, whichever line the signal found it on.
        self.assertIn((frames[1]["file"], frames[1]["line"], frames[1]["function"], frames[1]["source"]),
                      [(path, 3, "spin", "while True:"), (path, 4, "spin", "n += 1")])
        self.assertEqual(len(frames), 2)

    def test_an_await_that_never_ends_is_found_through_the_coroutines_awaiting_it(self):
        path = os.path.join(self.folders.root, "awaits", "plugin.py")
        report = self.where("awaits")
        self.assertEqual([(f["file"], f["line"], f["function"], f["source"]) for f in report["frames"]],
                         [(path, 9, "f", "await forever()"), (path, 5, "forever", "await asyncio.sleep(1e9)")])

    def test_a_sleep_is_found_at_its_line(self):
        path = os.path.join(self.folders.root, "sleeps", "plugin.py")
        report = self.where("sleeps")
        self.assertEqual(report["frames"], [{"file": path, "line": 6, "function": "f", "source": "time.sleep(1e6)"}])


if __name__ == "__main__":
    unittest.main()
