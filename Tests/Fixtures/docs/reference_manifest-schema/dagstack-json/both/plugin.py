# DERIVED plugin
class Both:
    def execute(self, args):
        return {"from": "both"}
