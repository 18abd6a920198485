class Capitalize:
    def rewrite(self, query):
        words = query["text"].split()
        if query.get("pause"):
            breakpoint()
        print("capitalizing", len(words), "words")
        return {**query, "text": " ".join(word.capitalize() for word in words)}
