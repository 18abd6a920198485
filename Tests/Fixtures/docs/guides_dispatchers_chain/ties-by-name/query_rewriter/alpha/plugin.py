class Alpha:
    def rewrite(self, ctx, query):
        return {**query, "text": query["text"] + " a"}
