// The Node host's conversion of what plugins return: JSON, or a SerializationError naming the path.
import assert from "node:assert/strict";
import { test } from "node:test";
import { copy, fromWire, SerializationError, STOP_CHAIN, toWire } from "../../Sources/PluginHosts/Node/host/values.mjs";

const refused = (value, message, strict = false) =>
  assert.throws(() => toWire(value, strict), (error) => error instanceof SerializationError && error.message === message);

test("plain values pass through unchanged", () => {
  const value = { text: "héllo", n: 1.5, list: [1, "two", null, true], nested: { empty: {} } };
  assert.deepEqual(toWire(value), value);
});

test("a member set to undefined is left out, as JSON.stringify does; a hook returning nothing answers null", () => {
  assert.deepEqual(toWire({ a: 1, b: undefined }), { a: 1 });
  assert.equal(toWire(undefined), null);
});

test("STOP_CHAIN travels as its marker and comes back as the symbol", () => {
  assert.deepEqual(toWire(STOP_CHAIN), { __dagstack__: "STOP_CHAIN" });
  assert.equal(fromWire({ __dagstack__: "STOP_CHAIN" }), STOP_CHAIN);
  assert.deepEqual(fromWire({ __dagstack__: "STOP_CHAIN", other: 1 }), { __dagstack__: "STOP_CHAIN", other: 1 });
});

test("what JSON cannot carry names its path", () => {
  refused([0, [1, undefined]], "$[1][1]: undefined, which JSON cannot carry (JSON.stringify would write null)");
  refused({ a: { b: 3n } }, "$.a.b: a BigInt (3n); JSON has no BigInt (return Number(x) or String(x))");
  refused({ "odd key": new Set([1]) }, '$["odd key"]: a Set; JSON has no sets (return [...set])');
  refused({ f: function named() {} }, "$.f: a function (named), which JSON cannot carry");
  refused({ x: NaN }, "$.x: NaN is not a JSON number");
  refused({ s: Symbol("tag") }, "$.s: a Symbol (tag), which JSON cannot carry");
  refused({ bytes: new Uint8Array(2) }, "$.bytes: a Uint8Array; JSON has no bytes (return an array of numbers or base64 text)");
  const cyclic = { items: [] };
  cyclic.items.push(cyclic);
  refused(cyclic, "$.items[0]: a cycle: this value contains itself");
});

test("the same object twice is not a cycle", () => {
  const shared = { id: 1 };
  assert.deepEqual(toWire({ a: shared, b: [shared] }), { a: { id: 1 }, b: [{ id: 1 }] });
});

test("a class instance goes as its own fields, except for the contract checks' strict conversion", () => {
  class Point { constructor() { this.x = 1; this.y = 2; } }
  assert.deepEqual(toWire({ p: new Point() }), { p: { x: 1, y: 2 } });
  refused({ p: new Point() }, "$.p: an instance of Point, which comes back from JSON as a plain object; return a plain object", true);
});

test("depth beyond the console's limit is refused with a shortened path", () => {
  let deep = 1;
  for (let i = 0; i < 300; i++) deep = [deep];
  assert.throws(() => toWire(deep), /^SerializationError: \$\[0\]\[0\]\[0\]\[0\]\[0\]\[0\]…\[0\]\[0\]\[0\]\[0\] \(256 levels\): nested deeper than 256 levels$/);
});

test("a copy between stages is independent of the stage's output", () => {
  const output = { tags: ["a"] };
  const next = copy(output);
  next.tags.push("b");
  assert.deepEqual(output, { tags: ["a"] });
});

test("keys that differ only in Unicode normalisation are refused where they are, as in the Python host", () => {
  refused({ a: [{ "caf\u00e9": 1, "cafe\u0301": 2 }] },
    '$.a[0]: two keys differ only in Unicode normalisation ("caf\\u00e9" and "cafe\\u0301"); an object here cannot hold both');
  // The clean twin: keys still distinct once normalised pass as they are.
  assert.deepEqual(toWire({ "caf\u00e9": 1, cafe: 2 }), { "caf\u00e9": 1, cafe: 2 });
});
