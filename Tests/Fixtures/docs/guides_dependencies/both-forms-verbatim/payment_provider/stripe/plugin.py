# stub plugin (not from the page), shaped after the call the page makes:
#   await self._payment.charge(amount_cents=..., currency=..., source=...) -> object with .transaction_id
import types


class StripeProvider:
    async def setup(self, ctx):
        print("setup stripe")
        self.ready = True

    async def charge(self, amount_cents, currency, source):
        return types.SimpleNamespace(transaction_id=f"tx_{amount_cents}_{currency}")
