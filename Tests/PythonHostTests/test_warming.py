import unittest

import support


class WarmingTests(unittest.TestCase):
    """A load says which standard library modules it imported; an interpreter started ahead for the
    next load imports those, and nothing else."""

    def setUp(self):
        self.folders = support.PluginFolders()
        self.addCleanup(self.folders.remove)

    def host(self):
        host = support.HostProcess(self.folders.root)
        self.addCleanup(host.close)
        return host

    def test_a_load_lists_the_standard_library_modules_it_imported_and_not_the_plugins_own(self):
        self.folders.add("p", """
            import colorsys
            from .helpers import WORD

            class P:
                def ask(self, value):
                    return WORD
            """)
        self.folders.add("p", "WORD = 'w'\n", module="helpers")
        reply = self.host().request("load", {"plugins": [self.folders.spec("p")]})
        self.assertTrue(reply["result"]["plugins"]["p"]["ok"], reply)
        warm = reply["result"]["warm"]
        self.assertIn("colorsys", warm)
        self.assertFalse([name for name in warm if "helpers" in name or name.startswith("dagstack_plugin")], warm)

    def test_warm_imports_only_standard_library_modules_that_import_quietly(self):
        reply = self.host().request("warm", {"modules": ["colorsys", "this", "antigravity", "no_such_module", "helpers", "json"]})
        # json is the host's own already; `this` prints the Zen of Python when imported.
        self.assertEqual(reply["result"], {"imported": ["colorsys"]})


if __name__ == "__main__":
    unittest.main()
