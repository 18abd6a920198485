from dagstack.plugin_system import PluginContext


class EchoPlugin:
    """Returns the input message wrapped under the `echoed` key.

    Mirrors the canonical `examples/echo_plugin.EchoTool` shipped
    with the binding. Both sync and async `setup` / `teardown` are
    accepted by the registry; the published example uses sync.
    """

    def setup(self, context: PluginContext) -> None:
        self._ctx = context

    def execute(self, args: dict) -> dict:
        return {"echoed": args["msg"]}

    def teardown(self) -> None:
        self._ctx = None
