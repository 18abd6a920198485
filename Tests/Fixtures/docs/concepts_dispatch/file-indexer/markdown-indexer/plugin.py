# stub (not from the page): the page shows this plugin's manifest only.
class MarkdownIndexer:
    def index(self, ctx, payload):
        return {"indexer": "markdown-indexer", "path": payload["path"]}
