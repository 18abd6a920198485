import os
import select
import signal
import time
import unittest

import support

PLUGIN = """
import asyncio
import logging
import pdb


def helper(n):
    return 10 // n


class Stepper:
    def setup(self, ctx):
        pass

    def rewrite(self, query):
        words = query["text"].split()
        breakpoint()
        return {**query, "text": " ".join(reversed(words))}

    def traced(self, query):
        pdb.set_trace()
        return query

    def plain(self, query):
        count = len(query["text"])
        print("counted", count)
        logging.getLogger("stepper").warning("looked at %d characters", count)
        return {**query, "count": count}

    async def slow(self, query):
        first = query["text"]
        await asyncio.sleep(0)
        return {"text": first * 2}

    def divide(self, n):
        local_value = n + 1
        return helper(n - n)

    def catches(self, n):
        try:
            return helper(0)
        except ZeroDivisionError:
            pdb.post_mortem()
            return "handled"
"""


class Terminal:
    """A pseudo-terminal standing for the console's: the host is handed its slave's path, the test
    types at its master and reads what pdb writes."""

    def __init__(self):
        self.master, self.slave = os.openpty()
        self.path = os.ttyname(self.slave)
        self.text = ""

    def expect(self, wanted, timeout=10):
        """Reads until `wanted` has been written (after what earlier expects consumed); returns the text up to it."""
        until = time.monotonic() + timeout
        while wanted not in self.text:
            left = until - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{wanted!r} never came; the terminal shows {self.text!r}")
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                self.text += os.read(self.master, 65536).decode("utf-8", "replace")
        seen, _, self.text = self.text.partition(wanted)
        return seen + wanted

    def type(self, line):
        os.write(self.master, line.encode())

    def close(self):
        os.close(self.master)
        os.close(self.slave)


class DebuggerTests(unittest.TestCase):
    """pdb in plugin code, on a terminal the console lends; and its fast failure when there is none."""

    def start(self, terminal=True, env=None):
        self.folders = support.PluginFolders()
        self.addCleanup(self.folders.remove)
        self.folders.add("stepper", PLUGIN)
        self.folders.add("at-import", """
            breakpoint()
            LOADED = True

            class AtImport:
                def ping(self):
                    return LOADED
            """)
        self.terminal = Terminal() if terminal else None
        if self.terminal is not None:
            self.addCleanup(self.terminal.close)
        self.opened = []

        def answer(method, params):
            self.assertEqual(method, "debugger.open")
            self.opened.append(params)
            if self.terminal is None:
                raise support.ConsoleRefusal("the console runs a script (test)")
            return {"tty": self.terminal.path}

        self.host = support.HostProcess(cwd=self.folders.root, env={"TERM": "dumb", "HOME": self.folders.root, **(env or {})},
                                        answer=answer)
        self.addCleanup(self.host.close)
        # A test that failed with pdb still at its prompt: the host would wait for ever.
        self.addCleanup(self.host.process.kill)

    def load(self, *names):
        reply = self.host.request("load", {"plugins": [self.folders.spec(n) for n in names], "resources": {}, "config": {}})
        return reply["result"]["plugins"]

    def call(self, hook, *args, debug=False):
        params = {"plugin": "stepper", "hook": hook, "args": list(args), "kwargs": {}}
        if debug:
            params["debug"] = True
        return self.host.send("call", params)

    def wait_stopped(self):
        """Serves the host until pdb stops (the `debugger` notification `stopped`)."""
        while True:
            message = self.host.read()
            if "id" in message:
                self.host.serve(message)
                continue
            self.host.notifications.append(message)
            if message.get("method") == "debugger" and message["params"]["event"] == "stopped":
                return message["params"]

    def events(self):
        return [m["params"]["event"] for m in self.host.notifications if m.get("method") == "debugger"]

    def test_without_a_terminal_a_breakpoint_fails_at_once_naming_where_and_why(self):
        self.start(terminal=False)
        self.load("stepper")
        started = time.monotonic()
        reply = self.host.reply(self.call("rewrite", {"text": "a b"}))
        self.assertLess(time.monotonic() - started, 2)
        error = reply["error"]
        self.assertEqual(error["data"]["type"], "DebuggerUnavailable")
        self.assertEqual(error["message"], "breakpoint() in stepper.rewrite needs an interactive console: the console runs a "
                                           "script (test); set PYTHONBREAKPOINT=0 to make breakpoint() do nothing")
        traceback = error["data"]["traceback"]
        self.assertIn("line 17, in rewrite\n    breakpoint()", traceback)
        self.assertNotIn("pdb.py", traceback)
        self.assertNotIn("dagstack_host", traceback)
        reply = self.host.reply(self.call("traced", {"text": "a"}))
        self.assertEqual(reply["error"]["message"], "pdb.set_trace() in stepper.traced needs an interactive console: the console "
                                                    "runs a script (test)")
        self.assertEqual([o["where"] for o in self.opened], ["stepper.rewrite", "stepper.traced"])
        # The host goes on: the next call and its output are as without the debugger.
        reply = self.host.reply(self.call("plain", {"text": "abc"}))
        self.assertEqual(reply["result"]["value"], {"text": "abc", "count": 3})
        self.assertEqual(reply["result"]["logs"][0], {"stream": "stdout", "text": "counted 3"})

    def test_pythonbreakpoint_0_makes_breakpoint_do_nothing_as_in_python(self):
        self.start(terminal=False, env={"PYTHONBREAKPOINT": "0"})
        self.load("stepper")
        reply = self.host.reply(self.call("rewrite", {"text": "a b"}))
        self.assertEqual(reply["result"]["value"], {"text": "b a"})
        self.assertEqual(self.opened, [])

    def test_a_module_level_breakpoint_without_a_terminal_fails_that_plugin_only(self):
        self.start(terminal=False)
        plugins = self.load("at-import", "stepper")
        self.assertFalse(plugins["at-import"]["ok"])
        self.assertIn("breakpoint() in at-import's module needs an interactive console", plugins["at-import"]["error"]["message"])
        self.assertTrue(plugins["stepper"]["ok"])

    def test_breakpoint_stops_at_the_next_line_p_shows_a_local_and_c_finishes_the_call(self):
        self.start()
        self.load("stepper")
        rid = self.call("rewrite", {"text": "hello big world"})
        self.assertEqual(self.wait_stopped()["where"], "stepper.rewrite")
        self.terminal.expect("[dagstack] pdb in stepper.rewrite: c continues the call, q stops it")
        shown = self.terminal.expect("(Pdb) ")
        self.assertIn('-> return {**query, "text": " ".join(reversed(words))}', shown)
        self.terminal.type("p words\r")
        self.terminal.expect("['hello', 'big', 'world']")
        self.terminal.expect("(Pdb) ")
        time.sleep(0.2)
        self.terminal.type("c\r")
        reply = self.host.reply(rid)
        self.assertEqual(reply["result"]["value"], {"text": "world big hello"})
        self.assertGreaterEqual(reply["result"]["debugger_us"], 200_000)
        self.assertEqual(self.events(), ["stopped", "resumed", "closed"])
        # Tracing is over and descriptors 0 and 1 are back: a call runs as if pdb had never been there.
        reply = self.host.reply(self.call("plain", {"text": "ab"}))
        self.assertEqual(reply["result"], {"value": {"text": "ab", "count": 2}, "logs": [
            {"stream": "stdout", "text": "counted 2"},
            {"stream": "log", "level": "WARNING", "logger": "stepper", "text": "stepper: looked at 2 characters"}]})
        self.assertEqual(os.readlink(f"/proc/{self.host.process.pid}/fd/1"), os.readlink(f"/proc/{self.host.process.pid}/fd/2"))

    def test_q_stops_the_call_only(self):
        self.start()
        self.load("stepper")
        rid = self.call("traced", {"text": "x"})
        self.wait_stopped()
        self.terminal.expect("(Pdb) ")
        self.terminal.type("q\r")
        error = self.host.reply(rid)["error"]
        self.assertEqual((error["message"], error["data"]["kind"], error["data"]["type"]),
                         ("stopped in the debugger", "debugger_quit", "BdbQuit"))
        self.assertIn("debugger_us", error["data"])
        reply = self.host.reply(self.call("plain", {"text": "abc"}))
        self.assertEqual(reply["result"]["value"], {"text": "abc", "count": 3})

    def test_ctrl_d_at_the_prompt_quits_and_ctrl_c_gives_the_prompt_back(self):
        self.start()
        self.load("stepper")
        rid = self.call("traced", {"text": "x"})
        self.wait_stopped()
        self.terminal.expect("(Pdb) ")
        # The console turns Ctrl-C into SIGINT for the host (the terminal is not the host's own). As a
        # person would, after the prompt: readline misses a signal that comes before it waits for keys.
        time.sleep(0.2)
        os.kill(self.host.process.pid, signal.SIGINT)
        self.terminal.expect("--KeyboardInterrupt--")
        self.terminal.expect("(Pdb) ")
        self.terminal.type("\x04")
        self.assertEqual(self.host.reply(rid)["error"]["message"], "stopped in the debugger")

    def test_output_of_plugin_code_stepped_over_shows_on_the_terminal_and_stays_in_the_calls_logs(self):
        self.start()
        self.load("stepper")
        rid = self.call("plain", {"text": "abcd"}, debug=True)
        self.wait_stopped()
        self.terminal.expect("-> count = len(query[\"text\"])")
        self.terminal.expect("(Pdb) ")
        self.terminal.type("n\r")
        self.terminal.expect("-> print(\"counted\", count)")
        self.terminal.type("n\r")
        self.terminal.expect("\ncounted 4\r\n")
        self.terminal.type("n\r")
        self.terminal.expect("\nlog warning │ stepper: looked at 4 characters\r\n")
        self.terminal.type("c\r")
        reply = self.host.reply(rid)
        self.assertEqual(reply["result"]["value"], {"text": "abcd", "count": 4})
        self.assertEqual(reply["result"]["logs"][0], {"stream": "stdout", "text": "counted 4"})

    def test_debug_stops_at_the_first_line_of_the_hook_also_when_it_is_a_coroutine(self):
        self.start()
        self.load("stepper")
        rid = self.call("slow", {"text": "ab"}, debug=True)
        self.wait_stopped()
        self.terminal.expect("-> first = query[\"text\"]")
        self.terminal.expect("(Pdb) ")
        self.terminal.type("where\r")
        stack = self.terminal.expect("(Pdb) ")
        self.assertNotIn("dagstack_host", stack)
        self.assertIn("slow()", stack)
        self.terminal.type("c\r")
        self.assertEqual(self.host.reply(rid)["result"]["value"], {"text": "abab"})

    def test_post_mortem_lands_in_the_raising_frame_and_up_reaches_the_hook(self):
        self.start()
        self.load("stepper")
        reply = self.host.reply(self.call("divide", 3))
        self.assertEqual(reply["error"]["data"]["type"], "ZeroDivisionError")
        rid = self.host.send("post_mortem", {"plugin": "stepper"})
        self.wait_stopped()
        self.terminal.expect("[dagstack] post-mortem of stepper.divide")
        self.terminal.expect("ZeroDivisionError: integer division or modulo by zero")
        self.terminal.expect("-> return 10 // n")
        self.terminal.expect("(Pdb) ")
        self.terminal.type("p n\r")
        self.terminal.expect("0")
        self.terminal.type("up\r")
        self.terminal.expect("-> return helper(n - n)")
        self.terminal.type("p local_value\r")
        self.terminal.expect("4")
        self.terminal.type("up\r")
        self.terminal.expect("*** Oldest frame")
        self.terminal.type("q\r")
        result = self.host.reply(rid)["result"]
        self.assertEqual(result["exception"], "ZeroDivisionError: integer division or modulo by zero")
        self.assertEqual(result["where"], "stepper.divide")
        # Looked at again: the exception stays until the plugin's code next succeeds.
        rid = self.host.send("post_mortem", {"plugin": "stepper"})
        self.wait_stopped()
        self.terminal.expect("(Pdb) ")
        self.terminal.type("q\r")
        self.assertIn("result", self.host.reply(rid))
        self.host.reply(self.call("plain", {"text": "a"}))
        error = self.host.request("post_mortem", {"plugin": "stepper"})["error"]
        self.assertEqual(error["data"]["kind"], "no_post_mortem")

    def test_post_mortem_in_plugin_code_then_the_call_goes_on(self):
        self.start()
        self.load("stepper")
        rid = self.call("catches", 1)
        self.wait_stopped()
        self.terminal.expect("-> return 10 // n")
        self.terminal.type("c\r")
        self.assertEqual(self.host.reply(rid)["result"]["value"], "handled")

    def test_a_breakpoint_in_set_up_and_at_import(self):
        self.start()
        rid = self.host.send("load", {"plugins": [self.folders.spec("at-import")], "resources": {}, "config": {}})
        self.assertEqual(self.wait_stopped()["where"], "at-import's module")
        self.terminal.expect("-> LOADED = True")
        self.terminal.type("c\r")
        self.assertTrue(self.host.reply(rid)["result"]["plugins"]["at-import"]["ok"])


if __name__ == "__main__":
    unittest.main()
