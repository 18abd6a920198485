# stub (not from the page): the page shows the manifest only
class MyTool:
    def get_schema(self):
        return [{"name": "my_tool", "description": "Echoes its args", "parameters": {"type": "object"}}]

    def execute(self, input):
        return {"result": {"function": input["function"], "args": input["args"]}}
