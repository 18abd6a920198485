class Upper:
    def run(self, ctx, value):
        print("upper saw", value["text"])
        return {**value, "text": value["text"].upper()}
