import os
import unittest

import support


class ProtocolTests(unittest.TestCase):
    """The host as the console runs it: bootstrap, modules on the first line, JSON-RPC on stdio."""

    def setUp(self):
        self.folders = support.PluginFolders()
        self.addCleanup(self.folders.remove)
        self.folders.add("upper", """
            import os

            class Upper:
                def setup(self, ctx):
                    print("set up with", sorted(ctx.resources))

                def rewrite(self, ctx, query):
                    os.write(1, b"straight to fd 1\\n")
                    return {**query, "text": query["text"].upper()}
            """)
        self.folders.add("stopper", """
            from dagstack.plugin_system import STOP_CHAIN

            class Stopper:
                def rewrite(self, query):
                    return STOP_CHAIN if "stop" in query["text"].lower() else query
            """)
        for name, key in (("mut-a", "a"), ("mut-b", "b")):
            self.folders.add(name, f"""
                class Mutator:
                    def rewrite(self, query):
                        query["{key}"] = query.get("{key}", 0) + 1
                        query["text"] += "{key}"
                        return query
                """)
        self.folders.add("in-place", """
            class InPlace:
                def rewrite(self, query):
                    query["text"] = query["text"].upper()
            """)
        self.folders.add("broken", """
            def helper(value):
                return value["missing"]

            class Broken:
                def rewrite(self, ctx, query):
                    return helper(query)
            """)
        self.host = support.HostProcess(cwd=self.folders.root)
        self.addCleanup(self.host.close)
        self.loaded = self.host.request("load", {
            "plugins": [self.folders.spec(n, resources=["clock"]) for n in ("upper", "stopper", "broken", "mut-a", "mut-b", "in-place")],
            "resources": {"clock": {"resource": "clock"}}, "config": {},
        })

    def test_the_host_says_it_is_ready_and_loads_every_plugin(self):
        self.assertEqual(self.host.ready["method"], "ready")
        plugins = self.loaded["result"]["plugins"]
        self.assertEqual({name: entry["entry_point"] for name, entry in plugins.items()},
                         {"upper": "plugin:Upper", "stopper": "plugin:Stopper", "broken": "plugin:Broken",
                          "mut-a": "plugin:Mutator", "mut-b": "plugin:Mutator", "in-place": "plugin:InPlace"})
        self.assertEqual(plugins["stopper"]["hooks"], {"rewrite": {"takes_ctx": False}})

    def test_setup_and_calls_return_values_with_what_the_plugin_printed(self):
        reply = self.host.request("setup", {"plugin": "upper", "metadata": {}})
        self.assertEqual(reply["result"]["logs"], [{"stream": "stdout", "text": "set up with ['clock']"}])
        self.assertEqual(self.host.notifications, [])  # a quick call's output comes with its answer only
        reply = self.host.request("call", {"plugin": "upper", "hook": "rewrite", "args": [{"text": "a"}], "kwargs": {}})
        self.assertEqual(reply["result"], {"value": {"text": "A"}, "logs": []})
        self.assertEqual(self.host.process.stderr.readline(), b"straight to fd 1\n")

    def test_a_chain_in_one_exchange_stops_at_stop_chain(self):
        reply = self.host.request("chain", {"plugins": ["upper", "stopper", "broken"], "hook": "rewrite",
                                            "value": {"text": "please stop"}})
        stages = reply["result"]["stages"]
        self.assertEqual([s["plugin"] for s in stages], ["upper", "stopper"])
        self.assertEqual(stages[0]["value"], {"text": "PLEASE STOP"})
        self.assertEqual(stages[1]["value"], {"__dagstack__": "STOP_CHAIN"})

    def test_each_stage_of_a_chain_keeps_its_own_output_when_the_next_stage_mutates_it(self):
        reply = self.host.request("chain", {"plugins": ["mut-a", "mut-b", "upper"], "hook": "rewrite",
                                            "value": {"text": "x"}})
        values = [s["value"] for s in reply["result"]["stages"]]
        self.assertEqual(values, [{"text": "xa", "a": 1}, {"text": "xab", "a": 1, "b": 1},
                                  {"text": "XAB", "a": 1, "b": 1}])

    def test_a_hook_returning_none_is_said_so_with_whether_it_changed_its_input_in_place(self):
        reply = self.host.request("call", {"plugin": "in-place", "hook": "rewrite", "args": [{"text": "a"}], "kwargs": {}})
        self.assertEqual(reply["result"], {"value": None, "logs": [], "returned_nothing": {"as": "None", "input_changed": True}})
        reply = self.host.request("chain", {"plugins": ["in-place", "in-place"], "hook": "rewrite", "value": {"text": "a"}})
        stages = reply["result"]["stages"]
        self.assertEqual(stages[0]["returned_nothing"], {"as": "None", "input_changed": True})
        self.assertEqual(stages[1]["plugin"], "in-place")
        self.assertIn("error", stages[1])  # None["text"]: the chain passed None on, as the reference does
        reply = self.host.request("call", {"plugin": "upper", "hook": "rewrite", "args": [{"text": "a"}], "kwargs": {}})
        self.assertNotIn("returned_nothing", reply["result"])

    def test_a_later_stage_of_a_chain_that_changes_its_input_and_returns_none_is_said_so(self):
        # The stage after the first gets the previous stage's output, already in the form plugins
        # receive: what it changes there is still a change to its input.
        reply = self.host.request("chain", {"plugins": ["mut-a", "in-place"], "hook": "rewrite", "value": {"text": "x"}})
        stages = reply["result"]["stages"]
        self.assertEqual(stages[0]["value"], {"text": "xa", "a": 1})
        self.assertEqual(stages[1]["returned_nothing"], {"as": "None", "input_changed": True})

    def test_an_error_carries_only_the_plugins_frames(self):
        reply = self.host.request("call", {"plugin": "broken", "hook": "rewrite", "args": [{"text": "a"}]})
        error = reply["error"]
        self.assertEqual((error["code"], error["message"], error["data"]["type"], error["data"]["kind"]),
                         (-32000, "'missing'", "KeyError", "exception"))
        traceback = error["data"]["traceback"]
        plugin_py = os.path.join(self.folders.root, "broken", "plugin.py")
        self.assertTrue(traceback.startswith("Traceback (most recent call last):\n"), traceback)
        self.assertIn(f'File "{plugin_py}", line 7, in rewrite', traceback)
        self.assertIn(f'File "{plugin_py}", line 3, in helper', traceback)
        self.assertNotIn("dagstack_host", traceback)
        self.assertTrue(traceback.endswith("KeyError: 'missing'\n"), traceback)

    def test_an_unknown_hook_and_an_unknown_method_are_errors_and_the_host_carries_on(self):
        reply = self.host.request("call", {"plugin": "upper", "hook": "nope", "args": []})
        self.assertEqual((reply["error"]["message"], reply["error"]["data"]["kind"]),
                         ("plugin 'upper' has no hook 'nope'", "no_hook"))
        reply = self.host.request("frobnicate", {})
        self.assertEqual(reply["error"], {"code": -32601, "message": "unknown method 'frobnicate'"})
        reply = self.host.request("call", {"plugin": "upper", "hook": "rewrite", "args": [{"text": "b"}]})
        self.assertEqual(reply["result"]["value"], {"text": "B"})

    def test_shutdown_answers_and_exits(self):
        reply = self.host.request("shutdown")
        self.assertEqual(reply["result"], None)
        self.assertEqual(self.host.process.wait(timeout=5), 0)


if __name__ == "__main__":
    unittest.main()
