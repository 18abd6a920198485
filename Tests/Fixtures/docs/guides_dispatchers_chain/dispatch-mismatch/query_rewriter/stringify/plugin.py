class Stringify:
    def rewrite(self, ctx, query):
        return query["text"]  # a str, not the query object
