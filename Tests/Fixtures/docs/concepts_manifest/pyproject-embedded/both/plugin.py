# DERIVED stub
class Both:
    def complete(self, prompt):
        return {"text": "both", "tokens_used": 0}
