import asyncio
import datetime
import sys
import unittest

import support  # noqa: F401
from dagstack_host import context, shim, values


class ShimTests(unittest.TestCase):
    def test_plugin_code_imports_the_shim_and_sees_the_hosts_stop_chain(self):
        module = shim.install()
        self.assertIs(sys.modules["dagstack.plugin_system"], module)
        from dagstack.plugin_system import STOP_CHAIN, PluginContext

        self.assertIs(STOP_CHAIN, shim.STOP_CHAIN)
        self.assertIs(STOP_CHAIN, values.STOP_CHAIN)
        self.assertIs(PluginContext, context.PluginContext)
        self.assertIs(shim.install(), module)

    def test_stop_chain_is_one_falsy_object(self):
        self.assertIs(shim.StopChainType(), shim.STOP_CHAIN)
        self.assertFalse(shim.STOP_CHAIN)
        self.assertEqual(repr(shim.STOP_CHAIN), "STOP_CHAIN")

    def test_the_shim_exports_what_the_seeds_import(self):
        module = shim.install()
        for name in ("STOP_CHAIN", "MIDDLEWARE_PRIORITY_THRESHOLD", "PluginContext", "SystemClock", "FrozenClock",
                     "RandomRng", "DeterministicRng", "Clock", "Rng", "ResourceRegistry", "ResourceContainer"):
            self.assertIn(name, module.__all__)
        self.assertEqual(module.MIDDLEWARE_PRIORITY_THRESHOLD, 1000)


class ContextTests(unittest.TestCase):
    def test_a_frozen_clock_needs_an_aware_time_and_advances(self):
        with self.assertRaises(ValueError):
            context.FrozenClock(at=datetime.datetime(2026, 1, 1))
        clock = context.FrozenClock(at=datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc))
        clock.advance(seconds=90)
        self.assertEqual(clock.now().isoformat(), "2026-01-01T00:01:30+00:00")

    def test_a_seeded_rng_repeats_and_descriptors_make_the_standard_resources(self):
        first = context.make_resource({"resource": "rng", "spec": {"type": "seeded", "seed": 7}})
        second = context.DeterministicRng(seed=7)
        self.assertEqual([first.randint(1, 100) for _ in range(5)], [second.randint(1, 100) for _ in range(5)])
        frozen = context.make_resource({"resource": "clock", "spec": {"type": "frozen", "at": "2026-01-01T00:00:00Z"}})
        self.assertEqual(frozen.now().isoformat(), "2026-01-01T00:00:00+00:00")
        self.assertEqual(context.make_resource({"resource": "tenant_keywords", "value": {"a": 1}}), {"a": 1})

    def test_a_plugin_sees_only_its_declared_resources_and_the_same_ctx_while_metadata_is_the_same(self):
        contexts = context.Contexts()
        contexts.configure({"clock": {"resource": "clock"}, "words": {"resource": "words", "value": ["x"]}})
        contexts.set_config("p", {"k": 1})
        ctx = contexts.get("p", ["words"], {"request_id": "r1"})
        self.assertEqual(ctx.resources.words, ["x"])
        with self.assertRaises(AttributeError) as raised:
            ctx.resources.clock
        self.assertEqual(str(raised.exception), "Resource 'clock' not declared/injected; available: ['words']")
        self.assertEqual(ctx.registry.resource_registry.get("words"), ["x"])
        self.assertIs(ctx.registry.resources, ctx.registry.resource_registry)
        self.assertEqual(ctx.config, {"k": 1})
        self.assertIs(contexts.get("p", ["words"], {"request_id": "r1"}), ctx)
        fresh = contexts.get("p", ["words"], {"request_id": "r2"})
        self.assertIsNot(fresh, ctx)
        self.assertEqual(fresh.metadata, {"request_id": "r2"})
        with self.assertRaises(AttributeError):
            ctx.resources.words = []

    def test_an_absent_optional_resource_reads_as_none(self):
        contexts = context.Contexts()
        contexts.configure({"clock": {"resource": "clock"}})
        ctx = contexts.get("p", ["clock", "postgres"], optional=["postgres"])
        self.assertIsNone(ctx.resources.postgres)
        self.assertIsNone(asyncio.run(ctx.resources.get("postgres")))
        self.assertIsNotNone(ctx.resources.clock)
        with self.assertRaises(AttributeError):
            ctx.resources.undeclared

    def test_the_rng_and_clock_have_the_methods_of_the_resources_page(self):
        rng = context.DeterministicRng(seed=42)
        self.assertEqual(rng.randint(0, 2**32), 2746317213)
        again = context.DeterministicRng(seed=42)
        self.assertEqual(again.next_int(0, 2**32), 2746317213)
        self.assertTrue(0 <= rng.next_float() < 1)
        self.assertEqual(len(rng.uuid4()), 36)
        self.assertIn(rng.choice(["a", "b"]), ["a", "b"])
        clock = context.make_resource({"resource": "clock", "spec": {"type": "frozen", "at": "2026-01-01T00:00:00Z"}})
        self.assertEqual(clock.monotonic_ns(), clock.monotonic_ns())
        clock.advance(seconds=2)
        self.assertEqual(clock.monotonic_ns(), 2_000_000_000)


if __name__ == "__main__":
    unittest.main()
