// How the Node host reads a plugin class: which hooks take ctx first, and which class is the plugin.
import assert from "node:assert/strict";
import { test } from "node:test";
import { firstParameter, hooksOf, inferClass, PluginError } from "../../Sources/PluginHosts/Node/host/loading.mjs";

test("the first parameter's name, however the function is written", () => {
  class C {
    method(ctx, value) { return [ctx, value]; }
    async asyncMethod(context) { return context; }
    noArgs() {}
    destructured({ text }) { return text; }
    withDefault(query = {}) { return query; }
    /* a comment (ctx) */ commented(/* ctx */ value) { return value; }
  }
  const c = new C();
  assert.equal(firstParameter(c.method), "ctx");
  assert.equal(firstParameter(c.asyncMethod), "context");
  assert.equal(firstParameter(c.noArgs), null);
  assert.equal(firstParameter(c.destructured), null);
  assert.equal(firstParameter(c.withDefault), "query");
  assert.equal(firstParameter(c.commented), "value");
  assert.equal(firstParameter((ctx) => ctx), "ctx");
  assert.equal(firstParameter(async (value) => value), "value");
  assert.equal(firstParameter(ctx => ctx), "ctx");
});

test("hooks are the public methods, inherited and arrow-function fields included, without setup/teardown", () => {
  class Base { inherited(value) { return value; } }
  class Plugin extends Base {
    field = (ctx, value) => value;
    unused(_ctx, value) { return value; }
    setup(ctx) {}
    teardown() {}
    _private() {}
    rewrite(query) { return query; }
  }
  assert.deepEqual(hooksOf(new Plugin()), {
    rewrite: { takes_ctx: false }, inherited: { takes_ctx: false }, field: { takes_ctx: true }, unused: { takes_ctx: true },
  });
});

test("the plugin class is the one exported class, or the one with setup or a hook of the kind", () => {
  class Only {}
  assert.deepEqual(inferClass({ Only }, "/p/plugin.ts"), ["Only", Only, "plugin.ts's only exported class"]);
  class Config {}
  class Failure extends Error { hook() {} }
  class Plugin { rewrite() {} }
  assert.deepEqual(inferClass({ Config, Failure, Plugin, helper: () => 1 }, "/p/plugin.ts", ["rewrite"]),
    ["Plugin", Plugin, "the one class plugin.ts exports with setup or a hook of the kind; beside it Config, Failure"]);
  class Default { run() {} }
  assert.deepEqual(inferClass({ default: Default, Config }, "/p/plugin.ts"),
    ["Default", Default, "the one class plugin.ts exports with public methods that is not an Error; beside it Config"]);
});

test("no class, or several that could be the plugin, is an error saying what to write", () => {
  assert.throws(() => inferClass({ value: 1 }, "/p/plugin.ts"), (error) => error instanceof PluginError &&
    error.message === 'no entry_point in the manifest and plugin.ts exports no class; set entry_point = "plugin:ClassName" in dagstack.toml');
  class A { h() {} }
  class B { h() {} }
  assert.throws(() => inferClass({ A, B }, "/p/plugin.js", ["h"]), {
    message: 'no entry_point in the manifest and plugin.js exports 2 classes that could be the plugin (A, B); set entry_point = "plugin:ClassName" in dagstack.toml',
  });
});
