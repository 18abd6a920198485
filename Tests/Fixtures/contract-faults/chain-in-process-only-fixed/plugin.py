class SchemaMismatch:
    def step(self, ctx, value):
        return {**value, "text": value["text"].upper()}
