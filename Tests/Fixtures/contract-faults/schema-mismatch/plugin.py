class SchemaMismatch:
    def step(self, ctx, value):
        return value["text"].upper()
