class Trim:
    def rewrite(self, query):
        return {**query, "text": " ".join(query["text"].split())}
