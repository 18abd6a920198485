def ratio(words):
    zero = len([w for w in words if w == "nothing"])
    return len(words) // zero


class Raiser:
    def rewrite(self, query):
        words = query["text"].split()
        if "Boom" in words:
            return {**query, "ratio": ratio(words)}
        return query
