class Suffix:
    def rewrite(self, query):
        return {**query, "text": query["text"] + "!"}
