class Eager:
    def rewrite(self, ctx, query):
        return query
