class Upper:
    def run(self, ctx, value):
        print("upper saw", value["text"])
        if "calls" in value:  # a file the test reads: how often this stage really ran
            with open(value["calls"], "a") as f:
                f.write("ran\n")
        return {**value, "text": value["text"].upper()}
