# stub (not from the page): the page shows this plugin's manifest only.
class BinaryHasher:
    def index(self, ctx, payload):
        return {"indexer": "binary-hasher", "path": payload["path"]}
