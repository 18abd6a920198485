import unittest

import support


class LifecycleTests(unittest.TestCase):
    """setup and teardown are called as written: with ctx when they take an argument, without when
    they take none (`def setup(self):` is how a plugin that needs nothing writes it)."""

    def setUp(self):
        self.folders = support.PluginFolders()
        self.addCleanup(self.folders.remove)
        self.folders.add("bare", """
            class Bare:
                def setup(self):
                    print("set up without ctx")

                def teardown(self):
                    print("torn down without ctx")

                def f(self, value):
                    return value
            """)
        self.folders.add("given", """
            class Given:
                async def setup(self, context):
                    print("set up with", sorted(context.resources))

                def teardown(self, ctx):
                    print("torn down with", sorted(ctx.resources))

                def f(self, value):
                    return value
            """)
        self.folders.add("either", """
            class Either:
                def setup(self, *args):
                    print("set up with", len(args), "argument")

                def f(self, value):
                    return value
            """)
        self.host = support.HostProcess(cwd=self.folders.root)
        self.addCleanup(self.host.close)
        loaded = self.host.request("load", {
            "plugins": [self.folders.spec(n, resources=["clock"]) for n in ("bare", "given", "either")],
            "resources": {"clock": {"resource": "clock"}}, "config": {},
        })
        self.assertTrue(all(p["ok"] for p in loaded["result"]["plugins"].values()), loaded)

    def logs(self, method, plugin):
        reply = self.host.request(method, {"plugin": plugin, "metadata": {}})
        self.assertIn("result", reply, reply)
        return [entry["text"] for entry in reply["result"]["logs"]]

    def test_setup_and_teardown_without_ctx_are_called_without_it(self):
        self.assertEqual(self.logs("setup", "bare"), ["set up without ctx"])
        self.assertEqual(self.logs("teardown", "bare"), ["torn down without ctx"])

    def test_setup_and_teardown_that_take_ctx_get_it_whatever_its_name(self):
        self.assertEqual(self.logs("setup", "given"), ["set up with ['clock']"])
        self.assertEqual(self.logs("teardown", "given"), ["torn down with ['clock']"])

    def test_a_setup_that_takes_any_arguments_gets_ctx(self):
        self.assertEqual(self.logs("setup", "either"), ["set up with 1 argument"])


if __name__ == "__main__":
    unittest.main()
