# stub (not from the page): the page shows this plugin's manifest only.
class PythonIndexer:
    def index(self, ctx, payload):
        return {"indexer": "python-indexer", "path": payload["path"]}
