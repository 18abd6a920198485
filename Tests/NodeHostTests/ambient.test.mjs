// The Node host's scan for module-level mutable state (the contract checks' ambient_state).
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ambientState } from "../../Sources/PluginHosts/Node/host/ambient.mjs";

function scan(name, source) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dagstack-ambient-"));
  const file = path.join(dir, name);
  fs.writeFileSync(file, source);
  try {
    return ambientState(file).map((v) => `${v.line} ${v.name} ${v.kind} ${v.severity}`);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
}

test("module-level let/var, mutable consts, static mutable fields and import-time environment reads", () => {
  assert.deepEqual(scan("plugin.ts", [
    'import { x } from "./y.js";',
    "const LIMIT = 10;",
    "const CACHE: Record<string, string> = {};",
    "const seen = new Map<string, number>();",
    "export let counter = 0;",
    "let a = 1, b = [2, 3];",
    "const frozen = Object.freeze([1, 2]);",
    'const REGION = process.env.REGION ?? "eu";',
    "export class P {",
    "  static registry: string[] = [];",
    '  static readonly NAME = "p";',
    "  private local = [];",
    "  run(q: string) {",
    "    const tmp = [];",
    "    let i = 0;",
    "    return process.env.HOME;",
    "  }",
    "}",
  ].join("\n")), [
    "3 CACHE mutable_literal warning",
    "4 seen mutable_call error",
    "5 counter mutable_binding error",
    "6 a mutable_binding error",
    "6 b mutable_binding error",
    "8 process.env environment error",
    "10 registry class_mutable error",
  ]);
});

test("a plugin that keeps its state on the instance has nothing to report", () => {
  assert.deepEqual(scan("plugin.js", [
    "const WORDS = Object.freeze(['a']);",
    "export class Clean {",
    "  seen = new Map();",
    "  count(word) { this.seen.set(word, 1); return word; }",
    "}",
  ].join("\n")), []);
});
