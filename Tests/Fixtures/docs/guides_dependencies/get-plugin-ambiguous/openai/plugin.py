class OpenAIEmbedder:
    def embed(self, texts):
        return [[1.0] for _ in texts]
