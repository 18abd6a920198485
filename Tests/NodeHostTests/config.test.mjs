// The Node host's reading of a schema error escaping setup(): the config's only when it came from
// parsing the config the plugin was given, else the plugin's own failure with the issues listed.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ConfigInvalid, fromSetupError } from "../../Sources/PluginHosts/Node/host/config.mjs";

class ZodError extends Error {
  constructor(issues, stack) {
    super(JSON.stringify(issues));
    this.name = "ZodError";
    this.issues = issues;
    if (stack) this.stack = stack;
  }
}

const spec = { name: "p", config_section: "tool.p", folder: "/nowhere" };
const wrongType = { code: "invalid_type", expected: "number", received: "string", path: ["port"], message: "Expected number, received string" };
const required = { code: "invalid_type", expected: "string", received: "undefined", path: ["url"], message: "Required" };

test("an issue the config's value explains is the config's, with the fields' paths", () => {
  const error = fromSetupError(new ZodError([wrongType]), spec, { port: "eighty" });
  assert.ok(error instanceof ConfigInvalid);
  assert.equal(error.message, "tool.p.port: Expected number, received string (ZodError thrown by setup())");
  assert.deepEqual(error.fields, [["port"]]);
});

test("an issue the config contradicts is the plugin's own failure, issues listed", () => {
  for (const config of [{}, { port: 8080 }, { other: { port: "x" } }]) {
    const error = fromSetupError(new ZodError([wrongType]), spec, config);
    assert.ok(!(error instanceof ConfigInvalid), JSON.stringify(config));
    assert.equal(error.name, "ZodError");
    assert.equal(error.message, "a schema in setup() rejected a value that is not the plugin's config: port: Expected number, received string");
  }
  // A path that does not lead through the config; zod 4's message and kept input.
  const deep = { code: "too_small", path: ["limits", "max"], message: "Too small" };
  assert.ok(!(fromSetupError(new ZodError([deep]), spec, { limits: 3 }) instanceof ConfigInvalid));
  const zod4 = { code: "invalid_type", expected: "number", path: ["port"], message: "Invalid input: expected number, received string", input: "x" };
  assert.ok(fromSetupError(new ZodError([zod4]), spec, { port: "x" }) instanceof ConfigInvalid);
  assert.ok(!(fromSetupError(new ZodError([zod4]), spec, { port: "y" }) instanceof ConfigInvalid));
});

test("fields the config lacks are the config's only when the parse call names the config", () => {
  const folder = mkdtempSync(path.join(os.tmpdir(), "dagstack-config-"));
  try {
    writeFileSync(path.join(folder, "plugin.ts"), "a\n  this.c = Schema.parse(ctx.config);\n  this.d = Schema.parse(JSON.parse(text));\n");
    const at = (line) => `ZodError: x\n    at Plugin.setup (${path.join(folder, "plugin.ts")}:${line}:20)`;
    const local = { ...spec, folder };
    assert.ok(fromSetupError(new ZodError([required], at(2)), local, {}) instanceof ConfigInvalid);
    const own = fromSetupError(new ZodError([required], at(3)), local, {});
    assert.ok(!(own instanceof ConfigInvalid));
    assert.equal(own.message, "a schema in setup() at plugin.ts:3 rejected a value that is not the plugin's config: url: Required");
    assert.ok(!(fromSetupError(new ZodError([required]), spec, {}) instanceof ConfigInvalid), "no call site: not the config's");
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test("what is not a schema error is left alone", () => {
  assert.equal(fromSetupError(new Error("boom"), spec, {}), null);
});
