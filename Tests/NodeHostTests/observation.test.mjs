// What the Node host sees while the contract checks watch a plugin's hooks: module state its calls
// change (helper modules and static fields included, an imported binding once), environment reads,
// blocking calls, files written, promises returned; and nothing left patched after.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import * as observation from "../../Sources/PluginHosts/Node/host/observation.mjs";

function pluginFolder(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dagstack-observation-"));
  for (const [name, source] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), source.join("\n") + "\n");
  return dir;
}

test("the calls' changes to module variables, an imported helper's state and static fields; reads, writes and promises", async () => {
  const dir = pluginFolder({
    "helper.mjs": [
      "let count = 0;",
      "export const CACHE = new Map();",
      "export function next() { count += 1; return count; }",
    ],
    "plugin.mjs": [
      'import { next, CACHE } from "./helper.mjs";',
      'import { readFileSync, writeFileSync } from "node:fs";',
      "const LIMITS = { max: 10 };",
      "const UNTOUCHED = [1, 2];",
      "export class P {",
      "  static cache = {};",
      "  work(x) {",
      "    LIMITS[x] = x; P.cache[x] = next(); CACHE.set(x, UNTOUCHED.length);",
      "    const home = process.env.HOME;",
      '    readFileSync(new URL(import.meta.url).pathname, "utf8");',
      "    return x;",
      "  }",
      "  async later(x) { return x; }",
      "}",
    ],
  });
  const readBefore = fs.readFileSync;
  try {
    const { P } = await import(pathToFileURL(path.join(dir, "plugin.mjs")).href);
    const instance = new P();
    observation.begin("p", { spec: { folder: dir }, instance });
    assert.notEqual(fs.readFileSync, readBefore, "watching wraps the blocking calls");
    observation.watching("p", "work", () => instance.work(1));
    assert.equal(await observation.watching("p", "later", () => instance.later(2)), 2);
    // Another plugin's call is not recorded.
    observation.watching("q", "work", () => process.env.HOME);
    const seen = observation.end("p");
    assert.equal(fs.readFileSync, readBefore, "nothing stays wrapped after the watch");
    assert.deepEqual(seen.state_changes, [
      "module variable CACHE (modules helper.mjs, plugin.mjs) changed: Map(0) {} → Map(1) { 1 => 2 }",
      "module variable LIMITS (module plugin.mjs) changed: { max: 10 } → { '1': 1, max: 10 }",
      "module variable count (module helper.mjs) changed: 0 → 1",
      "static field P.cache (module plugin.mjs) changed: {} → { '1': 1 }",
    ]);
    assert.deepEqual(seen.calls.map((c) => c.hook), ["work", "later"]);
    const [work, later] = seen.calls;
    assert.deepEqual(work.env, ["process.env.HOME read at plugin.mjs:9"]);
    assert.deepEqual(work.blocking, [`fs.readFileSync(${JSON.stringify(path.join(fs.realpathSync(dir), "plugin.mjs"))}) at plugin.mjs:10`]);
    assert.deepEqual(work.writes, []);
    assert.equal(work.awaitable, false);
    assert.equal(later.awaitable, true);
    assert.equal(seen.sinks, false);
  } finally {
    observation.endQuietly();
    fs.rmSync(dir, { recursive: true });
  }
});

test("files opened for writing, through fs and fs/promises, and a watch of another plugin sees nothing", async () => {
  const dir = pluginFolder({
    "plugin.mjs": [
      'import fs from "node:fs";',
      'import { writeFile } from "node:fs/promises";',
      "export class W {",
      "  async work(file) {",
      '    fs.appendFileSync(file, "a");',
      '    await writeFile(file + ".2", "b");',
      "    return 1;",
      "  }",
      "}",
    ],
  });
  try {
    const { W } = await import(pathToFileURL(path.join(dir, "plugin.mjs")).href);
    const instance = new W();
    const out = path.join(dir, "out.txt");
    observation.begin("w", { spec: { folder: dir }, instance });
    await observation.watching("w", "work", () => instance.work(out));
    const seen = observation.end("w");
    assert.deepEqual(seen.calls[0].writes, [
      `file ${JSON.stringify(out)} opened for writing at plugin.mjs:5`,
      `file ${JSON.stringify(out + ".2")} opened for writing at plugin.mjs:6`,
    ]);
    assert.deepEqual(seen.calls[0].blocking, [`fs.appendFileSync(${JSON.stringify(out)}) at plugin.mjs:5`]);
    assert.deepEqual(seen.state_changes, []);
    assert.deepEqual(observation.end("w"), { watched: false });
  } finally {
    observation.endQuietly();
    fs.rmSync(dir, { recursive: true });
  }
});
