class StripeProvider:
    async def setup(self, ctx):
        self._http = ctx.registry.resource_registry.get("http_client")
        self._config = ctx.config

    async def charge(self, input):
        response = await self._http.post(
            "https://api.stripe.com/v1/charges",
            headers={"Authorization": f"Bearer {self._config['api_key']}"},
            json={"amount": input.amount_cents, "currency": input.currency, "source": input.source},
        )
        return {"transaction_id": response.json()["id"], "status": "succeeded"}
