# stub (not from the page): the page shows the manifest only
class OpenAICompatible:
    def complete(self, prompt):
        return {"text": "echo: " + prompt, "tokens_used": len(prompt)}
