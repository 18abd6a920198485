import asyncio
import logging
import sys
import time
import unittest

import support  # noqa: F401
from dagstack_host import capture


class CaptureTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        capture.install_log_handler()

    def test_print_stderr_and_logging_are_captured_in_order_and_streams_restored(self):
        stdout, stderr = sys.stdout, sys.stderr

        def plugin():
            print("one")
            print("partial", end="")
            sys.stderr.write("warn\n")
            logging.getLogger("dagstack.plugin.p").warning("careful %s", "now")
            return 42

        self.assertEqual(capture.run_captured(plugin), 42)
        self.assertEqual(capture.logs(), [
            {"stream": "stdout", "text": "one"},
            {"stream": "stderr", "text": "warn"},
            {"stream": "log", "level": "WARNING", "logger": "dagstack.plugin.p", "text": "dagstack.plugin.p: careful now"},
            {"stream": "stdout", "text": "partial"},
        ])
        self.assertIs(sys.stdout, stdout)
        self.assertIs(sys.stderr, stderr)

    def test_output_before_an_exception_is_kept(self):
        def plugin():
            print("before")
            raise ValueError("boom")

        with self.assertRaises(ValueError):
            capture.run_captured(plugin)
        self.assertEqual(capture.logs(), [{"stream": "stdout", "text": "before"}])

    def test_each_call_starts_with_an_empty_capture(self):
        capture.run_captured(lambda: print("first"))
        capture.run_captured(lambda: None)
        self.assertEqual(capture.logs(), [])

    def test_a_slow_calls_output_goes_to_the_sink_while_it_runs_and_a_quick_ones_does_not(self):
        seen = []
        capture.SINK = seen.append
        self.addCleanup(setattr, capture, "SINK", None)

        def slow():
            print("first")
            capture.stream_unsent()
            self.assertEqual(seen, [])  # not yet: the call has only just started
            time.sleep(capture.STREAM_AFTER * 1.5)
            capture.stream_unsent()
            self.assertEqual(seen, [{"stream": "stdout", "text": "first"}])
            print("second")
            capture.stream_unsent(force=True)
            self.assertEqual([e["text"] for e in seen], ["first", "second"])

        capture.run_captured(slow)
        capture.stream_unsent(force=True)  # between calls: nothing to send
        self.assertEqual(len(seen), 2)

    def test_output_past_the_limit_is_cut_and_the_rest_counted(self):
        def plugin():
            sys.stderr.write("x" * (capture.LIMIT - 10) + "\n")
            sys.stderr.write("y" * 30 + "\n")
            print("z" * 5)

        capture.run_captured(plugin)
        logs = capture.logs()
        self.assertEqual([len(e["text"]) for e in logs[:2]], [capture.LIMIT - 10, 10])
        self.assertEqual(logs[2:], [
            {"stream": "stderr", "text": "[… 20 more characters of stderr not kept: the console keeps 1024 KiB of a call's output]"},
            {"stream": "stdout", "text": "[… 5 more characters of stdout not kept: the console keeps 1024 KiB of a call's output]"},
        ])

    def test_coroutines_are_awaited_with_or_without_an_event_loop(self):
        async def no_await():
            return "done"

        async def awaits():
            await asyncio.sleep(0)
            print("after sleep")
            return [1]

        self.assertEqual(capture.run_captured(no_await), "done")
        self.assertEqual(capture.run_captured(awaits), [1])
        self.assertEqual(capture.logs(), [{"stream": "stdout", "text": "after sleep"}])


if __name__ == "__main__":
    unittest.main()
