SYNONYMS = {"launch": "start", "setup": "configuration"}

class Synonymizer:
    async def setup(self, ctx):
        pass

    def rewrite(self, ctx, query):
        text = " ".join(
            SYNONYMS.get(word, word) for word in query["text"].split()
        )
        return {**query, "text": text}
