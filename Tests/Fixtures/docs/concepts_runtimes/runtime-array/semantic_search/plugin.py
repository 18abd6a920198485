# stub (not from the page)
class SemanticSearch:
    def execute(self, args):
        return {"result": ["doc-1"], "query": args["query"]}
