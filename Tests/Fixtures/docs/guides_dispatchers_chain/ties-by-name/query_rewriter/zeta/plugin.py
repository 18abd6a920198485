class Zeta:
    def rewrite(self, ctx, query):
        return {**query, "text": query["text"] + " z"}
