// What a plugin's hooks do besides answering, watched while the contract checks run its samples —
// the Node twin of the Python host's observation.py, answering observe_begin/observe_end with the
// same fields: module-level variables and static class fields the calls change (ADR-0003 #1),
// process.env read or written in a hook (#1: only set-up may), blocking calls of an async plugin
// (the *Sync functions of fs and child_process, Atomics.wait: #4), a promise returned by a plugin
// declared sync (#4), and files opened for writing (#7: a second run must not write again).
//
// Nothing is patched while nobody watches: `begin` installs the wrappers, `end` removes them; a
// normal call pays one look-up (`current === null`).
//
// Module state: JavaScript gives no list of a module's variables, so the host asks V8 through an
// in-process inspector session: the [[Scopes]] of the plugin class's methods hold its module's
// bindings (every variable a function of the module uses: the only ones a hook can change), and the
// functions found there lead to the plugin's other modules.
import { AsyncLocalStorage } from "node:async_hooks";
import childProcess from "node:child_process";
import fs from "node:fs";
import { Session } from "node:inspector";
import { syncBuiltinESMExports } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import util from "node:util";

const HOST_DIR = path.dirname(fileURLToPath(import.meta.url));
// The observation in progress (null between contract runs).
let current = null;
// The entry of the hook call in progress, as plugin code runs (its awaits and timers included).
const calls = new AsyncLocalStorage();

/** A stack frame's file and line, read from a line of `error.stack` (source-mapped to .ts). */
function frameOf(line) {
  const match = /^\s+at (?:.*? \()?((?:file:\/\/)?[^()\s][^()]*?):(\d+):\d+\)?$/.exec(line);
  if (!match) return null;
  const file = match[1].startsWith("file://") ? fileURLToPath(match[1]) : match[1];
  return { file, line: Number(match[2]) };
}

function stackFrames() {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  return stack.split("\n").slice(1).map(frameOf);
}

class Observation {
  constructor(plugin, spec, instance) {
    this.plugin = plugin;
    this.instance = instance;
    const folders = new Set([path.resolve(spec.folder)]);
    try { folders.add(fs.realpathSync(spec.folder)); } catch {}
    this.folders = [...folders].map((folder) => folder + path.sep);
    this.calls = [];
    this.restore = [];
    this.session = new Session();
    this.session.connect();
    this.scripts = new Map();
    this.session.on("Debugger.scriptParsed", ({ params }) => this.scripts.set(params.scriptId, params.url));
    // Lists every script already loaded (scriptParsed for each), to name a function's file.
    this.post("Debugger.enable");
    this.stateBefore = this.moduleState();
  }

  /** The plugin's own code: its folder, not the packages in a node_modules inside it. */
  inPlugin(file) {
    return this.folders.some((folder) => file.startsWith(folder) && !file.slice(folder.length).split(path.sep).includes("node_modules"));
  }

  /** `file:line` of the plugin's innermost frame on the stack; null when the host's own code comes
   * first (its reads are not the plugin's) or the plugin is not on the stack. */
  where() {
    for (const frame of stackFrames()) {
      if (!frame || frame.file.startsWith(HOST_DIR + path.sep) && frame.file.endsWith("observation.mjs")) continue;
      if (this.inPlugin(frame.file)) return `${path.basename(frame.file)}:${frame.line}`;
      if (frame.file.startsWith(HOST_DIR + path.sep)) return null;
    }
    return null;
  }

  /** `file:line` of the code that made this call itself, when that is the plugin's. */
  directCaller() {
    const frame = stackFrames().find((f) => f && !(f.file.startsWith(HOST_DIR + path.sep) && f.file.endsWith("observation.mjs")));
    return frame && this.inPlugin(frame.file) ? `${path.basename(frame.file)}:${frame.line}` : null;
  }

  record(field, text) {
    const call = calls.getStore();
    if (call && call.observation === this && !call.entry[field].includes(text)) call.entry[field].push(text);
  }

  post(method, params) {
    let answer, failure;
    this.session.post(method, params, (error, result) => { failure = error; answer = result; });
    if (failure) throw failure;
    return answer;
  }

  /** Removes the wrappers (before the state is read again: they are not the plugin's changes). */
  unpatch() {
    for (const undo of this.restore.reverse()) undo();
    this.restore = [];
    syncBuiltinESMExports();
  }

  close() {
    this.unpatch();
    try { this.session.disconnect(); } catch {}
  }

  // --- module state ---

  /** The remote object of a value of this process. */
  remote(value) {
    globalThis[HANDOFF] = value;
    try {
      return this.post("Runtime.evaluate", { expression: `globalThis[${JSON.stringify(HANDOFF)}]` }).result;
    } finally {
      delete globalThis[HANDOFF];
    }
  }

  /** The value of a remote object, back in this process. */
  local(objectId) {
    this.post("Runtime.callFunctionOn", { objectId, functionDeclaration: `function () { globalThis[${JSON.stringify(HANDOFF)}] = this; }` });
    const value = globalThis[HANDOFF];
    delete globalThis[HANDOFF];
    return value;
  }

  /** Every module of the plugin reached from its class: file → {variables (a snapshot of the
   * module's bindings), classes (the plugin's own classes bound there)}. */
  modules() {
    const found = new Map();
    const seenFunctions = new Set();
    const queue = [];
    const cls = this.instance.constructor;
    for (let proto = cls.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
      for (const name of Object.getOwnPropertyNames(proto)) {
        const descriptor = Object.getOwnPropertyDescriptor(proto, name);
        for (const fn of [descriptor.value, descriptor.get, descriptor.set]) if (typeof fn === "function") queue.push(fn);
      }
    }
    for (const value of Object.values(this.instance)) if (typeof value === "function") queue.push(value);
    while (queue.length) {
      const fn = queue.shift();
      if (seenFunctions.has(fn)) continue;
      seenFunctions.add(fn);
      const { objectId } = this.remote(fn);
      if (!objectId) continue;
      const internal = this.post("Runtime.getProperties", { objectId, ownProperties: false }).internalProperties ?? [];
      const location = internal.find((p) => p.name === "[[FunctionLocation]]")?.value?.value;
      const url = location && this.scripts.get(location.scriptId);
      if (!url?.startsWith("file://")) continue;
      const file = fileURLToPath(url);
      if (!this.inPlugin(file)) continue;
      const scopes = internal.find((p) => p.name === "[[Scopes]]")?.value?.objectId;
      if (!scopes) continue;
      for (const scope of this.post("Runtime.getProperties", { objectId: scopes, ownProperties: true }).result) {
        if (scope.value?.description !== "Module" || found.has(file)) continue;
        const { object } = this.local(scope.value.objectId);
        const module = { variables: object, classes: new Map() };
        found.set(file, module);
        for (const [name, value] of Object.entries(object)) {
          if (typeof value === "function") {
            queue.push(value);
            if (isClass(value)) module.classes.set(name, value);
            for (const member of classMembers(value)) queue.push(member);
          }
        }
      }
    }
    return found;
  }

  /** name → {fingerprint, shown} for every module variable and static class field of the plugin's
   * modules; one object bound in two modules (an import) is listed under both. */
  moduleState() {
    const state = new Map();
    const modules = this.modules();
    const own = new Set([...modules.values()].flatMap((module) => [...module.classes.values()]));
    const print = (value) => ({ fingerprint: fingerprint(value, own, 0), shown: show(value) });
    for (const [file, module] of modules) {
      const short = path.basename(file);
      for (const [name, value] of Object.entries(module.variables)) {
        state.set(`${short}\0module variable ${name}`, print(value));
      }
      for (const [name, cls] of module.classes) {
        for (const key of Object.getOwnPropertyNames(cls)) {
          if (["length", "name", "prototype"].includes(key)) continue;
          const descriptor = Object.getOwnPropertyDescriptor(cls, key);
          if (!("value" in descriptor) || typeof descriptor.value === "function") continue;
          state.set(`${short}\0static field ${name}.${key}`, print(descriptor.value));
        }
      }
    }
    return state;
  }
}

// The global a value crosses through between this process and the inspector session.
const HANDOFF = "__dagstackObservationHandoff";

function isClass(value) {
  return typeof value === "function" && /^class[\s{]/.test(Function.prototype.toString.call(value));
}

/** A class's methods, static and not: functions whose scopes lead to more of the plugin's code. */
function classMembers(cls) {
  if (!isClass(cls)) return [];
  const members = [];
  for (const owner of [cls, cls.prototype]) {
    for (const name of Object.getOwnPropertyNames(owner ?? {})) {
      const descriptor = Object.getOwnPropertyDescriptor(owner, name);
      for (const fn of [descriptor.value, descriptor.get, descriptor.set]) if (typeof fn === "function" && fn !== cls) members.push(fn);
    }
  }
  return members;
}

/** Object identities, numbered in the order first seen: the same object has the same number in
 * the snapshots before and after the calls. */
const identities = new WeakMap();
let nextIdentity = 1;
function identity(value) {
  if (!identities.has(value)) identities.set(value, nextIdentity++);
  return identities.get(value);
}

/** What a value is now, as a string two snapshots compare: plain containers (objects, arrays, Maps,
 * Sets, typed arrays) are looked into, with their identity (a rebinding to an equal new object is a
 * change too); anything else (a function, a class instance of a library) by identity. */
function fingerprint(value, own, depth) {
  const type = typeof value;
  if (value === null || (type !== "object" && type !== "function")) {
    return `${type}:${type === "symbol" ? value.description : String(value)}`;
  }
  const id = identity(value);
  if (type === "function" || depth > 6) return `#${id}`;
  const inner = (v) => fingerprint(v, own, depth + 1);
  if (Array.isArray(value)) return `#${id}[${value.slice(0, 1000).map(inner).join(",")}|${value.length}]`;
  if (value instanceof Map) return `#${id}Map{${[...value].slice(0, 1000).map(([k, v]) => `${inner(k)}=>${inner(v)}`).join(",")}|${value.size}}`;
  if (value instanceof Set) return `#${id}Set{${[...value].slice(0, 1000).map(inner).sort().join(",")}|${value.size}}`;
  if (ArrayBuffer.isView(value)) return `#${id}bytes(${Buffer.from(value.buffer, value.byteOffset, Math.min(value.byteLength, 4096)).toString("hex")}|${value.byteLength})`;
  if (value instanceof Date) return `#${id}Date(${value.getTime()})`;
  const proto = Object.getPrototypeOf(value);
  const plain = proto === null || proto === Object.prototype;
  if (!plain && !own.has(proto?.constructor)) return `#${id}`;
  return `#${id}{${Object.keys(value).slice(0, 1000).map((k) => `${JSON.stringify(k)}:${inner(value[k])}`).join(",")}}`;
}

function show(value) {
  const text = util.inspect(value, { depth: 2, breakLength: Infinity, maxArrayLength: 6, maxStringLength: 60, compact: true });
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** What changed between two snapshots, one line each. A binding imported from another of the
 * plugin's modules is in both modules' scopes (JavaScript does not say which defined it): the same
 * change under the same name is one line naming both modules. */
function stateChanges(before, after) {
  const changes = new Map();
  for (const key of [...new Set([...before.keys(), ...after.keys()])]) {
    const [module, name] = key.split("\0");
    let change;
    if (!before.has(key)) change = `created: ${after.get(key).shown}`;
    else if (!after.has(key)) change = `deleted (was ${before.get(key).shown})`;
    else if (before.get(key).fingerprint !== after.get(key).fingerprint) change = `changed: ${before.get(key).shown} → ${after.get(key).shown}`;
    else continue;
    const line = `${name}\0${change}`;
    changes.set(line, [...(changes.get(line) ?? []), module]);
  }
  return [...changes].map(([line, modules]) => {
    const [name, change] = line.split("\0");
    const where = modules.sort().join(", ");
    return `${name} (module${modules.length > 1 ? "s" : ""} ${where}) ${change}`;
  }).sort();
}

// --- the wrappers installed while watching ---

function patch(observation, owner, name, make) {
  const original = owner[name];
  if (typeof original !== "function") return;
  owner[name] = make(original);
  observation.restore.push(() => { owner[name] = original; });
}

const WRITE_FLAG = /[wa+]/;

function writes(flags) {
  if (typeof flags === "string") return WRITE_FLAG.test(flags);
  if (typeof flags === "number") return (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_APPEND | fs.constants.O_TRUNC)) !== 0;
  return false;
}

function shownPath(file) {
  if (typeof file === "number") return `fd ${file}`;
  return JSON.stringify(file instanceof URL ? fileURLToPath(file) : String(file));
}

/** The file a call writes to, when it writes one: (name, args) → path or null. */
function writtenFile(name, args) {
  switch (name) {
    case "writeFile": case "writeFileSync": case "appendFile": case "appendFileSync":
      return args[0];
    case "open": case "openSync":
      return writes(args[1]) ? args[0] : null;
    case "createWriteStream":
      return args[0];
    default:
      return null;
  }
}

function install(observation) {
  // process.env: a Proxy in its place records reads and writes made by the plugin's own lines.
  const environment = process.env;
  const reading = (key) => typeof key === "string" && calls.getStore()?.observation === observation;
  process.env = new Proxy(environment, {
    get(target, key) {
      if (reading(key)) {
        const at = observation.directCaller();
        if (at) observation.record("env", `process.env.${key} read at ${at}`);
      }
      return Reflect.get(target, key);
    },
    has(target, key) {
      if (reading(key)) {
        const at = observation.directCaller();
        if (at) observation.record("env", `process.env.${key} read at ${at}`);
      }
      return Reflect.has(target, key);
    },
    set(target, key, value) {
      if (reading(key)) {
        const at = observation.directCaller();
        if (at) observation.record("env", `process.env.${key} set at ${at}`);
      }
      return Reflect.set(target, key, value);
    },
  });
  observation.restore.push(() => { process.env = environment; });

  // A blocking call made inside another (readFileSync opens, reads, closes) is part of it.
  let inside = false;
  const watched = (what, original, name) => function (...args) {
    if (inside) return original.apply(this, args);
    if (calls.getStore()?.observation === observation) {
      const at = observation.where();
      if (at) {
        if (what) observation.record("blocking", `${what}(${args.length && typeof args[0] !== "function" && typeof args[0] !== "object" ? shownPath(args[0]) : ""}) at ${at}`);
        const file = writtenFile(name, args);
        if (file !== null && file !== undefined) observation.record("writes", `file ${shownPath(file)} opened for writing at ${at}`);
      }
    }
    inside = true;
    try {
      return original.apply(this, args);
    } finally {
      inside = false;
    }
  };
  for (const name of Object.keys(fs)) {
    if (name.endsWith("Sync")) patch(observation, fs, name, (original) => watched(`fs.${name}`, original, name));
  }
  for (const name of ["writeFile", "appendFile", "open", "createWriteStream"]) {
    patch(observation, fs, name, (original) => watched(null, original, name));
    patch(observation, fs.promises, name, (original) => watched(null, original, name));
  }
  for (const name of ["execSync", "execFileSync", "spawnSync"]) {
    patch(observation, childProcess, name, (original) => watched(`child_process.${name}`, original, name));
  }
  patch(observation, Atomics, "wait", (original) => watched("Atomics.wait", original, "wait"));
  // `import { readFileSync } from "node:fs"` binds the module's export: refreshed from the object.
  syncBuiltinESMExports();
}

// --- the methods ---

/** Starts watching `plugin` (`entry` as loading.mjs keeps it). */
export function begin(plugin, entry) {
  endQuietly();
  const observation = new Observation(plugin, entry.spec, entry.instance);
  install(observation);
  current = observation;
}

/** Stops watching; what was seen, call by call, and what the calls changed in the plugin's modules. */
export function end(plugin) {
  const observation = current;
  if (observation === null || observation.plugin !== plugin) {
    endQuietly();
    return { watched: false };
  }
  let changes;
  try {
    observation.unpatch();
    changes = stateChanges(observation.stateBefore, observation.moduleState());
  } finally {
    endQuietly();
  }
  // The checkpoint and progress sinks are given to Python plugins only: nothing to report of them.
  return { watched: true, calls: observation.calls, state_changes: changes, sinks: false };
}

export function endQuietly() {
  if (current !== null) {
    current.close();
    current = null;
  }
}

/** Runs one hook call of `plugin` (`fn` calls it), recorded under the call when it is the watched
 * plugin; notes whether the hook's own return value is a promise (before it is awaited). */
export function watching(plugin, hook, fn) {
  const observation = current;
  if (observation === null || observation.plugin !== plugin) return fn();
  const entry = { hook, env: [], blocking: [], writes: [], awaitable: false };
  observation.calls.push(entry);
  return calls.run({ observation, entry }, () => {
    const result = fn();
    if (result !== null && (typeof result === "object" || typeof result === "function") && typeof result.then === "function") entry.awaitable = true;
    return result;
  });
}
