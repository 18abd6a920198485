from dagstack.plugin_system import PluginContext


class EchoPlugin:
    async def setup(self, ctx: PluginContext) -> None:
        self._ctx = ctx

    def invoke(self, payload: str) -> str:
        return payload

    async def teardown(self) -> None:
        pass
