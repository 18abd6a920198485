class Blacklist:
    """TS-derived: the TS guide's Blacklist, which aborts by raising."""

    BANNED = ["delete_database", "rm -rf"]

    def rewrite(self, ctx, query):
        lower = query["text"].lower()
        if any(bad in lower for bad in self.BANNED):
            raise ValueError("Query blocked by blacklist")
        return query
