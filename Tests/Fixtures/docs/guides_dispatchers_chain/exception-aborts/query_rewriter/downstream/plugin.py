class Downstream:
    def rewrite(self, ctx, query):
        return {**query, "text": query["text"] + " (downstream)"}
