import os
import sys
import unittest

import support
from dagstack_host import capture, loading


class LoadingTests(unittest.TestCase):
    def setUp(self):
        self.folders = support.PluginFolders()
        self.addCleanup(self.folders.remove)

    def load(self, name, source, entry_point=None):
        self.folders.add(name, source)
        return loading.load_plugin(self.folders.spec(name, entry_point))

    def error(self, name, source, entry_point=None):
        with self.assertRaises(loading.PluginError) as raised:
            self.load(name, source, entry_point)
        return str(raised.exception)

    def test_the_one_class_of_plugin_py_is_the_plugin_and_its_hooks_say_whether_they_take_ctx(self):
        found = self.load("one-class", """
            from collections import OrderedDict  # imported classes are not plugin.py's own

            class Normalizer:
                async def setup(self, ctx):
                    pass

                def rewrite(self, ctx, query):
                    return query

                def chunk(self, text, max_size=512):
                    return []

                def ping(self, context):
                    return "pong"

                def probe(self, _ctx, value):
                    return value

                def _helper(self):
                    pass
            """)
        self.assertEqual(found["entry_point"], "plugin:Normalizer")
        self.assertTrue(found["inferred"])
        self.assertEqual(found["inferred_because"], "plugin.py's only class")
        self.assertEqual(found["hooks"], {"chunk": {"takes_ctx": False}, "ping": {"takes_ctx": True},
                                          "probe": {"takes_ctx": True}, "rewrite": {"takes_ctx": True}})
        self.assertIn("one-class", loading.PLUGINS)

    def test_without_an_entry_point_two_classes_are_ambiguous(self):
        message = self.error("two-classes", """
            class Reader:
                def read(self, x):
                    return x

            class Plugin:
                def f(self, x):
                    return x
            """)
        self.assertEqual(message, "no entry_point in the manifest and plugin.py defines 2 classes that could be the plugin "
                                  "(Reader, Plugin); set entry_point = \"plugin:ClassName\" in dagstack.toml")
        message = self.error("two-plugins", """
            class A:
                async def setup(self, ctx):
                    pass

            class B:
                def setup(self, ctx):
                    pass
            """)
        self.assertEqual(message, "no entry_point in the manifest and plugin.py defines 2 classes with setup or a hook of the "
                                  "kind (A, B); set entry_point = \"plugin:ClassName\" in dagstack.toml")

    def test_helper_classes_beside_the_plugin_do_not_stop_inference(self):
        # guides/configuration (a pydantic-style config model), ADR-0005 (an exception type), seed 000 (a dataclass).
        found = self.load("helpers", """
            from dataclasses import dataclass

            @dataclass
            class Chunk:
                text: str
                offset: int

            class PermissionDenied(Exception):
                def setup(self):
                    pass

            class StripeConfig:
                api_key: str = ""

            class FixedChunker:
                def chunk(self, text, max_size=512):
                    return [Chunk(text[i:i + max_size], i) for i in range(0, len(text), max_size)]
            """)
        self.assertEqual(found["entry_point"], "plugin:FixedChunker")
        self.assertEqual(found["inferred_because"], "the one class of plugin.py with public methods that is not an exception, "
                                                    "dataclass, model or enum; beside it Chunk, PermissionDenied, StripeConfig")
        spec = self.folders.spec("helpers")
        spec["kind_hooks"] = ["chunk"]
        found = loading.load_plugin(spec)
        self.assertEqual(found["entry_point"], "plugin:FixedChunker")
        self.assertEqual(found["inferred_because"], "the one class of plugin.py with setup or a hook of the kind; "
                                                    "beside it Chunk, PermissionDenied, StripeConfig")
        named = loading.load_plugin(self.folders.spec("helpers", "plugin:FixedChunker"))
        self.assertEqual((named["inferred"], named["inferred_because"]), (False, None))

    def test_modules_beside_plugin_py_are_imported_relative_to_the_plugin_each_apart(self):
        for name, word in (("first", "one"), ("second", "two")):
            folder = self.folders.add(name, f"WORD = {word!r}\n", module="helpers")
            os.makedirs(os.path.join(folder, "lib"))
            with open(os.path.join(folder, "lib", "__init__.py"), "w") as f:
                f.write("from ..helpers import WORD as INNER\n")
            self.load(name, """
                from .helpers import WORD
                from .lib import INNER

                class Plugin:
                    def say(self, value):
                        return [WORD, INNER]
                """)
        self.assertEqual(loading.PLUGINS["first"]["instance"].say(None), ["one", "one"])
        self.assertEqual(loading.PLUGINS["second"]["instance"].say(None), ["two", "two"])

    def test_an_absolute_import_of_the_plugins_own_module_says_how_to_import_it(self):
        self.folders.add("absolute", "WORD = 'x'\n", module="helpers")
        self.assertEqual(
            self.error("absolute", "from helpers import WORD\nclass A:\n    pass\n"),
            f"Failed to execute plugin module {self.folders.root}/absolute/plugin.py: ModuleNotFoundError: No module named "
            "'helpers' ('helpers' is in the plugin's folder: import it relative to the plugin, `from .helpers import ...`; "
            "plugins share one interpreter, so no plugin folder is on sys.path)")
        self.assertEqual(self.error("elsewhere", "import no_such_thing\n"),
                         f"Failed to execute plugin module {self.folders.root}/elsewhere/plugin.py: ModuleNotFoundError: "
                         "No module named 'no_such_thing'")

    def test_an_entry_point_names_the_module_and_class(self):
        found = self.load("explicit", "class A:\n    pass\nclass B:\n    def f(self, x):\n        return x\n", "plugin:B")
        self.assertEqual((found["entry_point"], found["class"], found["inferred"]), ("plugin:B", "B", False))
        self.assertEqual(self.error("no-class", "class A:\n    pass\n", "plugin:Missing"),
                         "Module 'plugin' has no attribute 'Missing' (entry_point 'plugin:Missing')")
        self.assertEqual(self.error("bad-format", "class A:\n    pass\n", "plugin.A"),
                         "Invalid entry_point 'plugin.A': expected 'module.path:ClassName'")

    def test_an_entry_point_never_reaches_outside_the_plugin_folder(self):
        self.assertEqual(self.error("dots", "class A:\n    pass\n", "..evil:A"),
                         "entry_point module '..evil' must be a module path inside the plugin folder")
        folder = self.folders.add("linked", "class A:\n    pass\n")
        outside = self.folders.add("outside", "class B:\n    pass\n", module="secret")
        os.symlink(os.path.join(outside, "secret.py"), os.path.join(folder, "secret.py"))
        with self.assertRaises(loading.PluginError) as raised:
            loading.load_plugin(self.folders.spec("linked", "secret:B"))
        self.assertEqual(str(raised.exception), "entry_point module 'secret' resolves outside the plugin folder")
        with self.assertRaises(loading.PluginError) as raised:
            loading.load_plugin(self.folders.spec("linked", "absent:B"))
        self.assertEqual(str(raised.exception), f"module file not found: {folder}/absent.py")

    def test_a_module_that_raises_is_reported_and_forgotten(self):
        message = self.error("raises", "x = 1 / 0\n")
        path = os.path.join(self.folders.root, "raises", "plugin.py")
        self.assertEqual(message, f"Failed to execute plugin module {path}: ZeroDivisionError: division by zero")
        self.assertNotIn("dagstack._discovered.raises.plugin", sys.modules)

    def syntax_error(self, name, source, module="plugin"):
        if module != "plugin":
            self.folders.add(name, source, module=module)
            source = f"from .{module} import X\nclass A:\n    pass\n"
        with self.assertRaises(loading.PluginError) as raised:
            self.load(name, source)
        return str(raised.exception), raised.exception.detail

    def test_a_syntax_error_says_file_line_and_column_and_shows_the_line_with_a_caret(self):
        path = os.path.join(self.folders.root, "unfinished", "plugin.py")
        message, detail = self.syntax_error("unfinished", "class A:\n    def f(self, x):\n        return x +\n")
        self.assertEqual(message, f"Failed to execute plugin module {path}: SyntaxError: {path}:3:19: invalid syntax")
        self.assertEqual(detail, f"SyntaxError: {path}:3:19: invalid syntax\n            return x +\n                      ^")
        # A caret as long as what Python marks, and the line as written (tabs kept as one column).
        path = os.path.join(self.folders.root, "colon", "plugin.py")
        message, detail = self.syntax_error("colon", "class A:\n\tdef f(self, x)\n\t\treturn x\n")
        self.assertEqual(message, f"Failed to execute plugin module {path}: SyntaxError: {path}:2:16: expected ':'")
        self.assertEqual(detail, f"SyntaxError: {path}:2:16: expected ':'\n    \tdef f(self, x)\n    \t              ^")

    def test_an_indentation_error_in_a_module_beside_plugin_py_names_that_file(self):
        path = os.path.join(self.folders.root, "helper-broken", "helpers.py")
        message, detail = self.syntax_error("helper-broken", "def f():\n  x = 1\n y = 2\nX = 1\n", module="helpers")
        plugin = os.path.join(self.folders.root, "helper-broken", "plugin.py")
        self.assertEqual(message, f"Failed to execute plugin module {plugin}: IndentationError: {path}:3:7: "
                                  "unindent does not match any outer indentation level")
        self.assertTrue(detail.startswith(f"IndentationError: {path}:3:7: unindent"), detail)
        self.assertTrue(detail.endswith("\n     y = 2\n          ^"), repr(detail))

    def test_a_module_is_loaded_under_its_plugins_name_and_what_it_prints_is_captured(self):
        folder = self.folders.add("my-plugin.v2", "print('loading')\nclass A:\n    pass\n")
        module = loading.load_module("my-plugin.v2", folder, folder, "plugin")
        self.assertIs(sys.modules["dagstack._discovered.my_plugin_v2.plugin"], module)
        self.assertEqual(capture.logs(), [{"stream": "stdout", "text": "loading"}])

    def test_a_constructor_that_raises_names_the_entry_point(self):
        message = self.error("ctor", "class A:\n    def __init__(self):\n        raise RuntimeError('no')\n")
        self.assertEqual(message, "Failed to instantiate plugin:A: RuntimeError: no")


class FirstParameterTests(unittest.TestCase):
    def test_the_first_parameter_after_self_or_cls(self):
        class P:
            def a(self, ctx, x):
                pass

            def b(self):
                pass

            @staticmethod
            def c(context):
                pass

            @classmethod
            def d(cls, query):
                pass

        p = P()
        self.assertEqual(loading.first_parameter(p.a), "ctx")
        self.assertIsNone(loading.first_parameter(p.b))
        self.assertEqual(loading.first_parameter(p.c), "context")
        self.assertEqual(loading.first_parameter(p.d), "query")
        self.assertEqual(loading.first_parameter(len), "obj")


if __name__ == "__main__":
    unittest.main()
