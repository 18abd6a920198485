# stub plugin (not from the page)
class Tokenizer:
    async def setup(self, ctx):
        print("setup tokenizer")
