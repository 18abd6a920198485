class ATools:
    def list_tools(self):
        return [{"name": "a", "description": "a"}]
