import unittest

import support
from dagstack_host import context, loading, methods, protocol


class CallerTests(unittest.TestCase):
    """A request plugin code makes through the console names the plugin whose hook is running, so the
    console can name it in what it keeps (a recording's HTTP exchanges)."""

    def setUp(self):
        self.folders = support.PluginFolders()
        self.addCleanup(self.folders.remove)
        self.sent = []

        def call_console(method, params):
            self.sent.append((method, dict(params)))
            return {"status_code": 200, "reason": "OK", "headers": {}, "body_base64": ""}

        original = protocol.call_console
        protocol.call_console = call_console
        self.addCleanup(setattr, protocol, "call_console", original)

    def load(self, name, source):
        self.folders.add(name, source)
        loading.load_plugin(self.folders.spec(name))
        self.addCleanup(loading.PLUGINS.pop, name, None)

    def test_an_http_request_names_the_plugin_whose_hook_or_setup_makes_it(self):
        self.load("fetcher", """
            from dagstack_host import services

            class Fetcher:
                async def setup(self, ctx):
                    await services.HttpClient().get("http://127.0.0.1:1/warm-up")

                async def fetch(self, url):
                    response = await services.HttpClient().get(url)
                    return response.status_code
            """)
        methods.setup({"plugin": "fetcher"})
        self.assertEqual(methods.call_one("fetcher", "fetch", ["http://127.0.0.1:1/x"], {}, None)[0], 200)
        self.assertEqual([(m, p["url"], p.get("caller")) for m, p in self.sent], [
            ("http.request", "http://127.0.0.1:1/warm-up", "fetcher"),
            ("http.request", "http://127.0.0.1:1/x", "fetcher"),
        ])
        # Outside a hook, nobody is named; after one, the name does not linger.
        self.assertIsNone(context.CALLER)

    def test_a_hook_that_raises_leaves_no_caller_behind(self):
        self.load("failing", """
            class Failing:
                def work(self):
                    raise ValueError("no")
            """)
        with self.assertRaises(ValueError):
            methods.call_one("failing", "work", [], {}, None)
        self.assertIsNone(context.CALLER)


class ConfigSchemaTests(unittest.TestCase):
    """A config that does not fit the plugin's config_schema is config_invalid, naming each field by
    its path in the application config and sending the fields' key paths in the section, for the
    console to say where each value was set."""

    def setUp(self):
        self.folders = support.PluginFolders()
        self.addCleanup(self.folders.remove)

    def test_the_error_names_the_fields_and_sends_their_paths(self):
        self.folders.add("stripe", """
            class Invalid(Exception):
                def errors(self):
                    return [{"loc": ("endpoints", 0, "port"), "msg": "Input should be a valid integer"},
                            {"loc": ("api_key",), "msg": "Field required"}]

            class Config:
                @classmethod
                def model_validate(cls, data):
                    raise Invalid("invalid")

            class Stripe:
                config_schema = Config
            """)
        spec = self.folders.spec("stripe")
        spec["config_section"] = "payment_provider.stripe"
        loading.load_plugin(spec)
        self.addCleanup(loading.PLUGINS.pop, "stripe", None)
        with self.assertRaises(methods.ConfigInvalid) as raised:
            methods.setup({"plugin": "stripe", "config": {"endpoints": [{"port": "x"}]}})
        error = methods.error(raised.exception)
        self.assertEqual(error["data"]["kind"], "config_invalid")
        self.assertEqual(error["message"], "payment_provider.stripe.endpoints[0].port: Input should be a valid integer; "
                         "payment_provider.stripe.api_key: Field required")
        self.assertEqual(error["data"]["fields"], [["endpoints", "0", "port"], ["api_key"]])


if __name__ == "__main__":
    unittest.main()
