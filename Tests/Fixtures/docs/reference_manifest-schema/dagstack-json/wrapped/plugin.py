# DERIVED plugin
class JsonWrapped:
    def execute(self, args):
        return {"from": "json-wrapped"}
