REPLACEMENTS = (("launch", "begin"), ("dagstack", "the dagstack runtime"))


class SynonymsV2:
    def rewrite(self, ctx, query):
        text = query["text"]
        for old, new in REPLACEMENTS:
            text = text.replace(old, new)
        return {**query, "text": text}
