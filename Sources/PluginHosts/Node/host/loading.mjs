// Loading plugin modules from their folders and finding each plugin's class and hooks.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** A failure the host reports for a plugin; `kind` says what failed (load, no_hook...). */
export class PluginError extends Error {
  constructor(message, kind = "load") {
    super(message);
    this.name = "PluginLoadError";
    this.kind = kind;
  }
}

/** The extensions a plugin module may have, in the order they are looked for. */
export const EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];

/** name → {instance, hooks: {hook: {takes_ctx}}, spec} */
export const PLUGINS = new Map();

/** The module file of `moduleName` (dots are folders, as for Python) in `folder`, never outside it. */
export function moduleFile(folder, realFolder, moduleName) {
  if (!moduleName || moduleName.startsWith(".") || /[\\/]/.test(moduleName) || moduleName.split(".").includes("")) {
    throw new PluginError(`entry_point module '${moduleName}' must be a module path inside the plugin folder`);
  }
  const stem = path.join(folder, ...moduleName.split("."));
  const file = EXTENSIONS.map((ext) => stem + ext).find((candidate) => fs.existsSync(candidate));
  if (!file) {
    throw new PluginError(`module file not found: ${stem}{${EXTENSIONS.join(",")}}`);
  }
  const real = fs.realpathSync(file);
  if (!real.startsWith(realFolder + path.sep)) {
    throw new PluginError(`entry_point module '${moduleName}' resolves outside the plugin folder`);
  }
  return file;
}

function isClass(value) {
  return typeof value === "function" && /^class[\s{]/.test(Function.prototype.toString.call(value));
}

/** The module's exported classes, by the name they are exported as (a default export by its own name). */
function exportedClasses(module) {
  const classes = new Map();
  for (const [name, value] of Object.entries(module)) {
    if (!isClass(value)) continue;
    const key = name === "default" ? value.name || "default" : name;
    if (![...classes.values()].includes(value)) classes.set(key, value);
  }
  return classes;
}

/** Every method name on the class's prototype chain (below Object.prototype). */
function methodNames(cls) {
  const names = new Set();
  for (let proto = cls.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (name !== "constructor" && typeof descriptor?.value === "function") names.add(name);
    }
  }
  return names;
}

/** The plugin class of a module without an entry point, as [name, class, why it is that one]: its
 * one exported class; or, beside helper classes (an error type, a config class), the one with setup
 * or a hook of the kind. */
export function inferClass(module, file, kindHooks = []) {
  const classes = exportedClasses(module);
  const base = path.basename(file);
  if (classes.size === 1) return [...[...classes][0], `${base}'s only exported class`];
  const wanted = ["setup", ...kindHooks];
  let plugins = [...classes].filter(([, cls]) => !(cls.prototype instanceof Error) &&
    wanted.some((hook) => methodNames(cls).has(hook)));
  let why = `the one class ${base} exports with setup or a hook of the kind`;
  if (plugins.length === 0) {
    plugins = [...classes].filter(([, cls]) => !(cls.prototype instanceof Error) &&
      [...methodNames(cls)].some((name) => !name.startsWith("_")));
    why = `the one class ${base} exports with public methods that is not an Error`;
  }
  if (plugins.length === 1) {
    const others = [...classes].filter(([, cls]) => cls !== plugins[0][1]).map(([name]) => name).join(", ");
    return [...plugins[0], `${why}; beside it ${others}`];
  }
  const found = (plugins.length ? plugins : [...classes]).map(([name]) => name).join(", ") || "none";
  let reason;
  if (classes.size === 0) reason = `${base} exports no class`;
  else if (plugins.length) reason = `${base} exports ${plugins.length} classes that could be the plugin (${found})`;
  else reason = `none of the ${classes.size} classes ${base} exports (${found}) has setup or a hook of the kind`;
  throw new PluginError(`no entry_point in the manifest and ${reason}; set entry_point = "plugin:ClassName" in dagstack.toml`);
}

/** The name of a function's first parameter, read from its source: hooks take ctx first only when
 * it is named ctx or context (or _ctx, _context: the spelling of an unused parameter under
 * noUnusedParameters), as the TypeScript runtime's plugins are written. */
export const CTX_NAMES = ["ctx", "context", "_ctx", "_context"];

export function firstParameter(fn) {
  const source = Function.prototype.toString.call(fn)
    .replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  const arrow = /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(source);
  if (arrow) return arrow[1];
  const open = source.indexOf("(");
  if (open < 0) return null;
  const first = /^\s*([A-Za-z_$][\w$]*)/.exec(source.slice(open + 1));
  return first ? first[1] : null;
}

/** Every public method but setup/teardown (own function properties included), with whether it takes ctx first. */
export function hooksOf(instance) {
  const hooks = {};
  const names = new Set([...methodNames(instance.constructor), ...Object.keys(instance)]);
  for (const name of names) {
    if (name.startsWith("_") || name === "setup" || name === "teardown" || name === "constructor") continue;
    const value = instance[name];
    if (typeof value !== "function" || isClass(value)) continue;
    hooks[name] = { takes_ctx: CTX_NAMES.includes(firstParameter(value)) };
  }
  return hooks;
}

/** Loads one plugin (`spec` as the console sends it); returns the entry point, whether it was
 * inferred, and the hooks with whether each takes ctx first. */
export async function loadPlugin(spec) {
  const { name, folder } = spec;
  let entry = spec.entry_point;
  let moduleName = "plugin";
  let className = null;
  if (entry) {
    const colon = entry.indexOf(":");
    moduleName = entry.slice(0, colon);
    className = entry.slice(colon + 1);
    if (colon < 0 || !moduleName || !className) {
      throw new PluginError(`Invalid entry_point '${entry}': expected 'module:ClassName'`);
    }
  }
  const file = moduleFile(folder, spec.real_folder ?? fs.realpathSync(folder), moduleName);
  let module;
  try {
    module = await import(pathToFileURL(file).href);
  } catch (error) {
    const failure = new PluginError(`Failed to execute plugin module ${file}: ${error?.name ?? "Error"}: ${error?.message ?? error}`);
    failure.cause = error;
    throw failure;
  }
  let cls;
  let inferred = null;
  if (className) {
    cls = module[className] ?? module.default?.[className] ?? (module.default?.name === className ? module.default : undefined);
    if (typeof cls !== "function") {
      throw new PluginError(`Module '${path.basename(file)}' exports no class '${className}' (entry_point '${entry}')`);
    }
  } else {
    [className, cls, inferred] = inferClass(module, file, spec.kind_hooks ?? []);
    entry = `plugin:${className}`;
  }
  let instance;
  try {
    instance = new cls();
  } catch (error) {
    const failure = new PluginError(`Failed to instantiate ${entry}: ${error?.name ?? "Error"}: ${error?.message ?? error}`);
    failure.cause = error;
    throw failure;
  }
  const hooks = hooksOf(instance);
  PLUGINS.set(name, { instance, hooks, spec });
  return { entry_point: entry, class: cls.name || className, inferred: inferred !== null, inferred_because: inferred, hooks, module_file: file };
}
