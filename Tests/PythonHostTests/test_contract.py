import os
import unittest

import support
from dagstack_host import capture, contract, loading


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


class LeakTests(unittest.TestCase):
    def test_a_file_left_open_after_teardown_is_named(self):
        folders = support.PluginFolders()
        self.addCleanup(folders.remove)
        target = os.path.join(folders.root, "data.txt")
        folders.add("leaky", f"""
            class Leaky:
                def setup(self, ctx):
                    self.file = open({target!r}, "w")

                def teardown(self):
                    pass
            """)
        loading.load_plugin(folders.spec("leaky"))
        contract.take_baseline()
        instance = loading.PLUGINS["leaky"]["instance"]
        capture.run_captured(lambda: instance.setup(None))
        capture.run_captured(instance.teardown)
        leaks = contract.leaks_after_teardown("leaky")
        fd = instance.file.fileno()
        self.assertIn(f"file descriptor {fd} still open: {target}", leaks)
        instance.file.close()
        self.assertNotIn("leaky", loading.PLUGINS)


if __name__ == "__main__":
    unittest.main()
