# TS-derived (tests/docs_examples/concepts_kinds.test.ts FakeLLM), written against the page's Python Protocol
# `def complete(self, input: CompleteInput) -> CompleteOutput` — no ctx, input read by attribute.
class MinorLLM:
    def complete(self, input):
        return {"text": f"echo: {input.prompt}", "tokens_used": len(input.prompt)}
