class EchoTool:
    """TS-derived (spec_adr_0004-hookspec.test.ts): implements the emitted ToolPlugin protocol — no ctx."""

    def get_schema(self):
        return [{"name": "echo", "description": "Echo back the input", "parameters": {"type": "object", "properties": {}}}]

    def execute(self, input):
        return {"result": {"echoed": input["args"].get("msg", "")}}
