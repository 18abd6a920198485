class Lowercase:
    """Lower-cases the text but, unlike plugins/normalizer, keeps its spacing."""

    def rewrite(self, ctx, query):
        return {**query, "text": query["text"].lower()}
