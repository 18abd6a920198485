class Suffix:
    def run(self, ctx, value):
        return {**value, "text": value["text"] + "!"}
