# stub (not from the page): the page shows internal's manifest only. Same shape as StripeProvider.charge.
class InternalProvider:
    async def setup(self, ctx):
        pass

    async def charge(self, input):
        return {"transaction_id": f"tx_internal_{input.amount_cents}", "status": "succeeded"}
