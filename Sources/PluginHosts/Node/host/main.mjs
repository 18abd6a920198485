// The Node host: runs the JavaScript and TypeScript plugins of one plugin directory in this one
// process, as the Python host runs plugin.py files, and answers the console's requests (the same
// methods and answers as the Python host's) on stdin/stdout. Started as
// `node --enable-source-maps --experimental-detect-module main.mjs`.
import * as nodeModule from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { ambientState } from "./ambient.mjs";
import * as capture from "./capture.mjs";
import * as config from "./config.mjs";
import { CONTEXTS } from "./context.mjs";
import * as contract from "./contract.mjs";
import { loadPlugin, PLUGINS, PluginError } from "./loading.mjs";
import * as observation from "./observation.mjs";
import { startWhereWorker } from "./stuck.mjs";
import { copy, fromWire, LIMITS, SerializationError, STOP_CHAIN_MARKER, toWire } from "./values.mjs";
import { awaitingConsole, notify, send, serve } from "./wire.mjs";

const HOST_DIR = path.dirname(fileURLToPath(import.meta.url));
// The metadata key that asks a call for the contract checks' strict serialisation.
const CONTRACT_KEY = "_dagstack_contract";
// The esbuild program that compiles TypeScript (the console sets it).
const ESBUILD = process.env.DAGSTACK_ESBUILD || "esbuild";

/** The stack from the plugin's own frames: the host's frames and Node's internals are the console's business. */
export function pluginStack(error) {
  if (!(error instanceof Error) || typeof error.stack !== "string") return `${describeThrown(error)}\n`;
  const lines = error.stack.split("\n").filter((line) => {
    if (!/^\s+at /.test(line)) return true;
    return !line.includes(HOST_DIR) && !line.includes(pathToFileURL(HOST_DIR).href) && !/\(node:|at node:/.test(line);
  });
  return lines.map((line) => line.replace(/file:\/\/(\/[^\s):]+)/g, (_, p) => decodeURIComponent(p))).join("\n") + "\n";
}

/** What was thrown, said once: a value that is not an Error has no name, message or stack. */
function describeThrown(value) {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (value === null || value === undefined) return `threw ${value}, not an Error`;
  const type = Array.isArray(value) ? "array" : typeof value;
  let shown;
  try {
    shown = type === "function" ? value.name || "anonymous" : JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value); // a BigInt, or an object JSON cannot write
  }
  if (shown.length > 200) shown = `${shown.slice(0, 200)}…`;
  return `threw ${/^[aeiou]/.test(type) ? "an" : "a"} ${type}, not an Error: ${shown}`;
}

function typeName(error) {
  if (error instanceof Error) return error.name || error.constructor?.name || "Error";
  return error === null ? "null" : typeof error;
}

/** The JSON-RPC error object for what plugin code threw, with what it wrote in the call. A thrown
 * value that is not an Error has no type and no stack: its message says what it was, once. */
function errorObject(error, logs, kind) {
  const isError = error instanceof Error;
  const message = isError ? error.message || error.name : describeThrown(error);
  const data = { kind: kind ?? error?.kind ?? "exception" };
  if (isError) data.type = typeName(error);
  const stackOf = error?.cause && error instanceof PluginError ? error.cause : error;
  if (stackOf instanceof Error) data.traceback = pluginStack(stackOf);
  if (logs) data.logs = logs;
  if (Array.isArray(error?.fields)) data.fields = error.fields;
  return { code: -32000, message, data };
}

class CallFailure extends Error {
  constructor(error, logs) {
    super("call failed");
    this.error = error;
    this.logs = logs;
  }
}

function plugin(name) {
  const found = PLUGINS.get(name);
  if (!found) throw new PluginError(`plugin '${name}' is not loaded in the Node host`, "no_plugin");
  return found;
}

function context(name, metadata) {
  return CONTEXTS.get(name, plugin(name).spec, metadata ?? {});
}

/** Runs plugin code with its output captured; its value, or a CallFailure with its error and logs. */
async function run(fn) {
  const outcome = await capture.runCaptured(fn);
  if ("error" in outcome) throw new CallFailure(outcome.error, outcome.logs);
  return outcome;
}

/** One hook call. `sent()` gives the arguments (positional, then the named ones) as they were before
 * the call, to tell whether a hook that returned nothing changed them in place. */
async function callOne(name, hook, args, kwargs, metadata, sent) {
  const { instance, hooks } = plugin(name);
  const info = hooks[hook];
  if (!info) throw new CallFailure(new PluginError(`plugin '${name}' has no hook '${hook}'`, "no_hook"), []);
  let strict = false;
  if (metadata && CONTRACT_KEY in metadata) {
    metadata = { ...metadata };
    strict = Boolean(metadata[CONTRACT_KEY]);
    delete metadata[CONTRACT_KEY];
  }
  const values = args.map(fromWire);
  // Named arguments (the console's kwargs) go as one object after the positional ones: a TypeScript
  // hook takes its input as one value.
  if (kwargs && Object.keys(kwargs).length) values.push(kwargs);
  const { value, logs } = await run(() => observation.watching(name, hook, () => {
    const method = instance[hook];
    return info.takes_ctx ? method.call(instance, context(name, metadata), ...values) : method.apply(instance, values);
  }));
  try {
    const answer = { value: toWire(value, strict), logs };
    // undefined goes as null; the console says the hook returned nothing, and whether it changed
    // its input in place instead (which a chain does not pass on).
    if (value === undefined) answer.returned_nothing = { as: "undefined", input_changed: changedInPlace(values, sent()) };
    return answer;
  } catch (error) {
    if (!(error instanceof SerializationError)) throw error;
    // The console names the plugin and hook; the host's own frames are no traceback of the plugin's.
    const failure = new SerializationError(`the hook returned a value JSON cannot carry: ${error.message}`);
    failure.stack = `SerializationError: ${failure.message}`;
    throw new CallFailure(failure, logs);
  }
}

/** Whether a hook changed any of the values it was given (each parsed from `sent`) in place. */
function changedInPlace(values, sent) {
  return values.some((value, index) => {
    try {
      return !isDeepStrictEqual(toWire(value), sent[index]);
    } catch {
      return true; // it now holds something JSON cannot carry: it was changed
    }
  });
}

const elapsedUs = (started) => Math.round(Number(process.hrtime.bigint() - started) / 1000);

const METHODS = {
  async load(params) {
    LIMITS.max_depth = params.limits?.max_depth ?? LIMITS.max_depth;
    const instances = new Map();
    const results = {};
    for (const spec of params.plugins) {
      notify("importing", { plugin: spec.name });
      try {
        const outcome = await capture.runCaptured(() => loadPlugin(spec));
        if ("error" in outcome) throw outcome.error;
        results[spec.name] = { ok: true, ...outcome.value };
        instances.set(spec.name, PLUGINS.get(spec.name).instance);
      } catch (error) {
        const failure = error instanceof PluginError ? error : new PluginError(error instanceof Error ? `${typeName(error)}: ${error.message}` : describeThrown(error));
        if (!(error instanceof PluginError)) failure.cause = error;
        results[spec.name] = { ok: false, error: errorObject(failure, null, "load") };
      }
    }
    CONTEXTS.configure(params.resources ?? {}, instances);
    contract.takeBaseline();
    return { plugins: results, node: process.versions.node };
  },

  async setup(params) {
    const name = params.plugin;
    const { instance, spec } = plugin(name);
    if ("config" in params) CONTEXTS.setConfig(name, params.config);
    config.checkStaticSchema(instance, spec, CONTEXTS.configs.get(name) ?? {});
    if (typeof instance.setup !== "function") return { logs: [] };
    try {
      const { logs } = await run(() => instance.setup(context(name, params.metadata)));
      return { logs };
    } catch (failure) {
      const schemaError = failure instanceof CallFailure ? config.fromSetupError(failure.error, spec, CONTEXTS.configs.get(name) ?? {}) : null;
      if (schemaError) throw new CallFailure(schemaError, failure.logs);
      throw failure;
    }
  },

  async setup_many(params) {
    const results = [];
    for (const entry of params.plugins) {
      const started = process.hrtime.bigint();
      try {
        const done = await METHODS.setup(entry);
        results.push({ ...done, plugin: entry.plugin, duration_us: elapsedUs(started) });
      } catch (error) {
        results.push({ plugin: entry.plugin, error: failureObject(error), duration_us: elapsedUs(started) });
        break;
      }
    }
    return { results };
  },

  async teardown(params) {
    const name = params.plugin;
    const { instance } = plugin(name);
    CONTEXTS.forget(name);
    if (typeof instance.teardown !== "function") return { logs: [] };
    const { logs } = await run(() => instance.teardown());
    return { logs };
  },

  async call(params, sent) {
    const original = () => {
      const { args = [], kwargs = {} } = sent();
      return [...args, kwargs];
    };
    return callOne(params.plugin, params.hook, params.args ?? [], params.kwargs ?? {}, params.metadata, original);
  },

  /** Consecutive chain stages in one exchange: each stage's output is the next one's input; stops
   * after STOP_CHAIN or an error. Every stage that ran, with its output, logs and time. */
  async chain(params, sent) {
    let value = params.value;
    // What each stage was given, untouched: the chain's input as sent, then the previous stage's
    // output (the stage itself gets a copy).
    let given = () => {
      const { value: input, kwargs = {} } = sent();
      return [input, kwargs];
    };
    const stages = [];
    for (const name of params.plugins) {
      const started = process.hrtime.bigint();
      let output;
      try {
        const result = await callOne(name, params.hook, [value], params.kwargs ?? {}, params.metadata, given);
        output = result.value;
        const stage = { plugin: name, value: output, logs: result.logs, duration_us: elapsedUs(started) };
        if (result.returned_nothing) stage.returned_nothing = result.returned_nothing;
        stages.push(stage);
      } catch (error) {
        stages.push({ plugin: name, error: failureObject(error), duration_us: elapsedUs(started) });
        break;
      }
      if (output?.__dagstack__ === STOP_CHAIN_MARKER.__dagstack__) break;
      const previous = output;
      given = () => [previous, params.kwargs ?? {}];
      value = copy(output);
    }
    return { stages };
  },

  async inspect(params) {
    return { leaks: contract.leaksAfterTeardown(params.plugin) };
  },

  async ambient_state(params) {
    return { violations: ambientState(params.file, ESBUILD) };
  },

  async observe_begin(params) {
    observation.begin(params.plugin, plugin(params.plugin));
    return {};
  },

  async observe_end(params) {
    return observation.end(params.plugin);
  },
};

function failureObject(error) {
  if (error instanceof CallFailure) return errorObject(error.error, error.logs);
  return errorObject(error, []);
}

async function answer(request, line) {
  const { id, method } = request;
  if (method === "shutdown") {
    send({ result: null, id });
    process.exit(0);
  }
  const handler = METHODS[method];
  if (!handler) {
    send({ error: { code: -32601, message: `unknown method '${method}'` }, id });
    return;
  }
  try {
    // The params as sent, parsed again on demand: plugin code may have changed its arguments in place.
    const sent = () => JSON.parse(line).params ?? {};
    send({ result: await handler(request.params ?? {}, sent), id });
  } catch (error) {
    send({ error: failureObject(error), id });
  }
}

function main() {
  const { register } = nodeModule;
  if (typeof register !== "function") {
    process.stderr.write(`Node ${process.versions.node} is too old for the Node host: it needs module.register (Node 18.19, 20.6 or newer)\n`);
    process.exit(2);
  }
  capture.install();
  register("./loader.mjs", { parentURL: import.meta.url, data: { esbuild: ESBUILD } });
  // What plugin code throws outside any call (a timer it left) or rejects unawaited: said on stderr,
  // which the console shows with the next call; the host goes on serving.
  process.on("uncaughtException", (error) => process.stderr.write(`Uncaught ${pluginStack(error)}`));
  process.on("unhandledRejection", (error) => process.stderr.write(`Unhandled rejection: ${pluginStack(error)}`));
  // Ctrl-C is the console's: it stops a call by stopping this process, never by a signal to it.
  process.on("SIGINT", () => {});
  // One request at a time, in order, as the console sends them; a nested one (sent while plugin
  // code awaits the console) at once, or the two would wait for each other.
  let queue = Promise.resolve();
  serve((request, line) => {
    if (awaitingConsole()) void answer(request, line);
    else queue = queue.then(() => answer(request, line));
  });
  notify("ready", { node: process.versions.node, ...startWhereWorker(HOST_DIR) });
}

main();
