# stub plugin (not from the page): the dependency `embedder.openai_compatible`.
class OpenAICompatibleEmbedder:
    async def setup(self, ctx):
        print("setup openai_compatible")

    def embed(self, texts):
        return [[float(len(t)), 0.0] for t in texts]
