# DERIVED plugin
class JsonFlat:
    def execute(self, args):
        return {"from": "json-flat"}
