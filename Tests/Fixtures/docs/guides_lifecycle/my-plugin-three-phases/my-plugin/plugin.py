# --- stub (not from the page): `PluginContext` is used unimported and `MyClient` is never defined.
import types as _stub_types

from dagstack.plugin_system import PluginContext


def MyClient(*, base_url, http):  # a function, not a class, so entry-point inference still sees one class
    print(f"MyClient(base_url={base_url}, http has get: {hasattr(http, 'get')})")
    return _stub_types.SimpleNamespace(close=lambda: print("client closed"))
# --- end stub ---


class MyPlugin:
    def __init__(self) -> None:
        # Correct: only initialise the fields that setup will populate.
        self._client = None
        self._config = None

    async def setup(self, context: PluginContext) -> None:
        self._config = context.config
        # Resources are injected at setup time and exposed as attributes
        # on the per-plugin `ResourceContainer` (`ctx.resources`); the
        # async `await ctx.resources.get(name)` form is also available.
        self._http = context.resources.http_client
        self._clock = context.resources.clock
        self._client = MyClient(
            base_url=self._config["base_url"],
            http=self._http,
        )

    async def teardown(self) -> None:
        if self._client:
            self._client.close()
