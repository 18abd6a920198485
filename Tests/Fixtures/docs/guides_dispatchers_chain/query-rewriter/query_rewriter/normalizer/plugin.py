import re

class Normalizer:
    async def setup(self, ctx):
        pass

    def rewrite(self, ctx, query):
        text = query["text"].lower().strip()
        text = re.sub(r"\s+", " ", text)
        return {**query, "text": text}
