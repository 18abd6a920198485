import marshal
import os
import shutil
import sys
import tempfile
import unittest

import support


class CodeCacheTests(unittest.TestCase):
    """The bootstrap keeps the host's compiled modules under $XDG_CACHE_HOME/dagstack-console and
    uses them only when they were compiled from exactly the sources the console sent."""

    def setUp(self):
        self.cache = tempfile.mkdtemp(prefix="dagstack-cache-")
        self.addCleanup(shutil.rmtree, self.cache, True)
        self.path = os.path.join(self.cache, "dagstack-console", f"python-host-{sys.implementation.cache_tag}.marshal")
        self.folders = support.PluginFolders()
        self.addCleanup(self.folders.remove)

    def start(self):
        """Starts a host, checks it answers, stops it; returns what it wrote on stderr."""
        host = support.HostProcess(self.folders.root, cache=self.cache)
        self.assertEqual(host.ready["method"], "ready")
        self.assertIn("result", host.request("load", {"plugins": []}))
        host.request("shutdown")
        host.process.wait(timeout=10)
        stderr = host.process.stderr.read().decode()
        host.close()
        return stderr

    def cached(self):
        with open(self.path, "rb") as f:
            return marshal.load(f)

    def plant(self, sources):
        """A cache whose code for the shim module also says it ran, on stderr."""
        source = support.modules_line()
        shim_file, shim_source = __import__("json").loads(source)["dagstack_host.shim"]
        codes = dict(self.cached()[1])
        codes["dagstack_host.shim"] = compile(shim_source + "\nimport sys\nprint('shim from the cache', file=sys.stderr)\n",
                                              shim_file, "exec", dont_inherit=True)
        with open(self.path, "wb") as f:
            marshal.dump((sources, codes), f)

    def test_the_first_start_writes_every_module_it_compiled(self):
        self.start()
        sources, codes = self.cached()
        self.assertEqual(sources, support.modules_line())
        self.assertIn("dagstack_host.protocol", codes)
        self.assertIn("dagstack_host.values", codes)
        self.assertEqual(os.stat(os.path.dirname(self.path)).st_mode & 0o777, 0o700)

    def test_a_cache_of_these_sources_is_used(self):
        self.start()
        self.plant(support.modules_line())
        self.assertIn("shim from the cache", self.start())

    def test_a_cache_of_other_sources_is_ignored_and_replaced(self):
        self.start()
        self.plant(support.modules_line().replace(b"STOP_CHAIN", b"STOP_CHAIM", 1))
        self.assertNotIn("shim from the cache", self.start())
        self.assertEqual(self.cached()[0], support.modules_line())

    def test_a_damaged_cache_is_ignored_and_replaced(self):
        os.makedirs(os.path.dirname(self.path))
        with open(self.path, "wb") as f:
            f.write(b"\x00not marshal data")
        self.assertEqual(self.start(), "")
        self.assertEqual(self.cached()[0], support.modules_line())

    def test_an_unwritable_cache_costs_a_compile_and_nothing_else(self):
        with open(os.path.join(self.cache, "dagstack-console"), "w") as f:
            f.write("a file where the folder would be")
        self.assertEqual(self.start(), "")


if __name__ == "__main__":
    unittest.main()
