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

    def test_an_unfinished_line_is_streamed_as_partial_once_per_change(self):
        seen = []
        capture.SINK = seen.append
        self.addCleanup(setattr, capture, "SINK", None)

        def slow():
            time.sleep(capture.STREAM_AFTER * 1.5)
            print("half", end="")
            capture.stream_unsent()
            capture.stream_unsent()  # unchanged: not sent again
            print(" a line")
            capture.stream_unsent()

        capture.run_captured(slow)
        self.assertEqual(seen, [{"stream": "stdout", "text": "half", "partial": True}, {"stream": "stdout", "text": "half a line"}])

    def test_a_slow_stage_of_a_batch_is_announced_before_its_output_with_the_stages_done(self):
        events = []
        capture.SINK = lambda entry: events.append(("output", entry["text"]))
        capture.ANNOUNCE = lambda method, params: events.append((method, params))
        self.addCleanup(setattr, capture, "SINK", None)
        self.addCleanup(setattr, capture, "ANNOUNCE", None)
        capture.batch_begin()
        self.addCleanup(capture.batch_end)
        # A quick first stage is not announced; a slow second one is, with the first one's record.
        capture.batch_stage(0, "quick")
        capture.run_captured(lambda: print("quick ran"))
        capture.stream_unsent()
        capture.batch_finished({"plugin": "quick", "value": 1})
        capture.batch_stage(1, "slow")

        def slow():
            print("slow says")
            time.sleep(capture.STREAM_AFTER * 1.5)
            capture.stream_unsent()
            capture.stream_unsent()  # announced once

        capture.run_captured(slow)
        self.assertEqual(len(events), 2, events)
        method, params = events[0]
        self.assertEqual(method, "chain_stage")
        self.assertEqual({k: params[k] for k in ("index", "plugin", "streamed", "done")},
                         {"index": 1, "plugin": "slow", "streamed": 0, "done": [{"plugin": "quick", "value": 1}]})
        self.assertGreaterEqual(params["elapsed_us"], capture.STREAM_AFTER * 1e6)
        self.assertEqual(events[1], ("output", "slow says"))

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
