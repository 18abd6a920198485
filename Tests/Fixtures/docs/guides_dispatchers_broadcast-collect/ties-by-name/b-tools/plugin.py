class BTools:
    def list_tools(self):
        return [{"name": "b", "description": "b"}]
