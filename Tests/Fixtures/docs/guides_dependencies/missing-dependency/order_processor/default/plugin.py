from dagstack.plugin_system import PluginContext


class DefaultOrderProcessor:
    async def setup(self, context: PluginContext) -> None:
        # payment_provider is guaranteed to be initialised by now.
        self._payment = context.registry.get_plugin(
            "payment_provider",
            name="stripe",
        )

    async def process(self, order):
        total = sum(item.price * item.quantity for item in order.items)
        result = await self._payment.charge(
            amount_cents=int(total * 100),
            currency=order.currency,
            source=order.payment_token,
        )
        return {"order_id": order.id, "transaction_id": result.transaction_id}
