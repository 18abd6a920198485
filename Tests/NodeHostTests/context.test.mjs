// The ctx resources the Node host gives plugin code: frozen clock and seeded rng for the contract
// checks' determinism, custom values, and what an undeclared resource says.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Contexts } from "../../Sources/PluginHosts/Node/host/context.mjs";

const descriptors = {
  clock: { resource: "clock", spec: { type: "frozen", at: "2026-01-01T00:00:00Z" } },
  rng: { resource: "rng", spec: { type: "seeded", seed: 42 } },
  greeting: { resource: "value", value: { hello: "world" } },
};

function ctxFor(declared, optional = []) {
  const contexts = new Contexts();
  contexts.configure(descriptors, new Map());
  contexts.setConfig("p", { prefix: ">" });
  return contexts.get("p", { resources: declared, optional_resources: optional, manifest: { name: "p" } }, { tenant: "t" });
}

test("a frozen clock stands still and a seeded rng repeats itself", () => {
  const first = ctxFor(["clock", "rng"]);
  const second = ctxFor(["clock", "rng"]);
  assert.equal(first.resources.get("clock").now().toISOString(), "2026-01-01T00:00:00.000Z");
  assert.equal(first.resources.clock.monotonicNs(), 0n);
  const rolls = (ctx) => Array.from({ length: 5 }, () => ctx.resources.rng.nextInt(1, 6));
  const a = rolls(first);
  assert.deepEqual(a, rolls(second));
  assert.ok(a.every((n) => n >= 1 && n <= 6));
  assert.match(first.resources.rng.uuid4(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test("the ctx has the TypeScript runtime's shape with config, manifest, metadata and only declared resources", () => {
  const ctx = ctxFor(["greeting"], ["missing"]);
  assert.deepEqual(ctx.config, { prefix: ">" });
  assert.deepEqual(ctx.manifest, { name: "p" });
  assert.deepEqual(ctx.metadata, { tenant: "t" });
  assert.deepEqual(ctx.resources.get("greeting"), { hello: "world" });
  assert.equal(ctx.resources.has("clock"), false);
  assert.equal(ctx.resources.tryGet("missing"), undefined);
  assert.throws(() => ctx.resources.get("clock"), { message: "Resource clock is not registered." });
  assert.throws(() => ctxFor(["nowhere"]), { message: "Plugin p requires resource nowhere, which the host has not registered." });
});
