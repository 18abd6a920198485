import unittest

import support


class PluginFaultTests(unittest.TestCase):
    """Plugin code that attacks the host's machinery: each fault is that call's error, named for the
    plugin, and the host goes on serving the others."""

    def setUp(self):
        self.folders = support.PluginFolders()
        self.addCleanup(self.folders.remove)
        self.folders.add("rogue", """
            import builtins, json, os, signal

            class BadStr(Exception):
                def __str__(self):
                    raise RuntimeError("no text for you")

            class Rogue:
                def patch_json(self):
                    json.dumps = lambda *a, **k: "garbage"
                    json.loads = None
                    return "patched"

                def patch_builtins(self):
                    builtins.isinstance = lambda *a: False
                    builtins.getattr = None
                    return "patched"

                def interrupt(self):
                    raise KeyboardInterrupt

                def sigint(self):
                    os.kill(os.getpid(), signal.SIGINT)
                    return "not reached"

                def exit(self):
                    raise SystemExit(4)

                def bad_str(self):
                    raise BadStr()

                def no_message(self):
                    raise KeyError()

                def surrogate_message(self):
                    print("lone \\udc80 in print")
                    raise ValueError("lone \\ud800 in message")

                def surrogate_value(self):
                    return {"text": "x\\udc80"}

                def huge_int(self):
                    return {"n": [1, 10 ** 400]}

                def deep(self):
                    value = 1
                    for _ in range(600):
                        value = [value]
                    return value
            """)
        self.folders.add("innocent", """
            import json

            class Innocent:
                def ping(self, value):
                    return {"pong": json.loads(json.dumps(value)), "isinstance": isinstance(value, int)}
            """)
        self.host = support.HostProcess(cwd=self.folders.root)
        self.addCleanup(self.host.close)
        self.loaded = self.host.request("load", {
            "plugins": [self.folders.spec("rogue", entry_point="plugin:Rogue"), self.folders.spec("innocent")],
            "resources": {}, "config": {},
            "limits": {"max_depth": 256}})

    def call(self, plugin, hook, *args):
        return self.host.request("call", {"plugin": plugin, "hook": hook, "args": list(args), "kwargs": {}})

    def assert_innocent_works(self):
        self.assertEqual(self.call("innocent", "ping", 3)["result"]["value"], {"pong": 3, "isinstance": True})

    def test_the_host_says_which_plugin_it_imports(self):
        self.assertEqual([n["params"]["plugin"] for n in self.host.notifications if n["method"] == "importing"],
                         ["rogue", "innocent"])

    def test_replacing_json_functions_is_undone_and_blamed_on_the_plugin(self):
        error = self.call("rogue", "patch_json")["error"]
        self.assertEqual(error["data"]["type"], "TamperError")
        self.assertEqual(error["message"], "the plugin replaced json.dumps, replaced json.loads; the host put the "
                                           "original back (plugin code must not change what every plugin shares)")
        self.assert_innocent_works()

    def test_replacing_builtins_is_undone_and_blamed_on_the_plugin(self):
        error = self.call("rogue", "patch_builtins")["error"]
        self.assertEqual(error["message"].split(";")[0], "the plugin replaced builtins.getattr, replaced builtins.isinstance")
        self.assert_innocent_works()

    def test_keyboard_interrupt_and_sigint_and_system_exit_fail_only_the_call(self):
        for hook, kind in (("interrupt", "KeyboardInterrupt"), ("sigint", "KeyboardInterrupt"), ("exit", "SystemExit")):
            self.assertEqual(self.call("rogue", hook)["error"]["data"]["type"], kind, hook)
            self.assert_innocent_works()

    def test_an_exception_whose_str_raises_is_described(self):
        error = self.call("rogue", "bad_str")["error"]
        self.assertEqual(error["message"], "<BadStr.__str__ raised RuntimeError>")
        self.assertTrue(error["data"]["traceback"].endswith("BadStr: <BadStr.__str__ raised RuntimeError>\n"))
        self.assert_innocent_works()

    def test_an_exception_without_a_message_ends_its_traceback_with_its_type_alone(self):
        error = self.call("rogue", "no_message")["error"]
        self.assertEqual(error["message"], "KeyError")
        self.assertEqual(error["data"]["type"], "KeyError")
        self.assertTrue(error["data"]["traceback"].endswith("raise KeyError()\nKeyError\n"), error["data"]["traceback"])
        self.assert_innocent_works()

    def test_lone_surrogates_in_output_and_messages_arrive_escaped(self):
        error = self.call("rogue", "surrogate_message")["error"]
        self.assertEqual(error["message"], "lone \ud800 in message")
        self.assertEqual(error["data"]["logs"], [{"stream": "stdout", "text": "lone \udc80 in print"}])
        self.assert_innocent_works()

    def test_values_the_console_cannot_carry_are_refused_with_their_path(self):
        cases = {
            "surrogate_value": "$.text: the string contains a lone surrogate ('\\udc80'), which is not valid Unicode",
            "huge_int": "$.n[1]: a 1329-bit integer is beyond 64 bits, which is what the console carries exactly",
            "deep": "$[0][0][0][0][0][0]\u2026[0][0][0][0] (256 levels): nested deeper than 256 levels",
        }
        for hook, path in cases.items():
            error = self.call("rogue", hook)["error"]
            self.assertEqual(error["data"]["kind"], "serialization", hook)
            # The console names the plugin and the hook: the message does not say them again.
            self.assertEqual(error["message"], f"the hook returned a value JSON cannot carry: {path}")
        self.assert_innocent_works()


if __name__ == "__main__":
    unittest.main()
