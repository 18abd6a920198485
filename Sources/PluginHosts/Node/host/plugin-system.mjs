// What plugin code imports as `@dagstack/plugin-system` when that package is not installed beside
// it: the names plugin code uses at run time — STOP_CHAIN (the same Symbol.for as the package's),
// ResourceRegistry, the error classes and their guards, orderForChain, the kind namespaces. Types
// need nothing here: esbuild erases them. The registry, discovery and dispatchers are the
// console's: constructing them here says so.
export const VERSION = "0.0.0-dagstack-console-shim";
export const STOP_CHAIN = Symbol.for("dagstack.plugin_system.STOP_CHAIN");
export const MIDDLEWARE_PRIORITY_THRESHOLD = 1000;

export class ResourceRegistry {
  #resources = new Map();

  register(name, value) {
    this.#resources.set(name, value);
    return this;
  }

  has(name) {
    return this.#resources.has(name);
  }

  get(name) {
    if (!this.#resources.has(name)) throw new Error(`Resource ${name} is not registered.`);
    return this.#resources.get(name);
  }

  tryGet(name) {
    return this.#resources.get(name);
  }

  names() {
    return [...this.#resources.keys()];
  }

  scopeFor(manifest) {
    const scope = new ResourceRegistry();
    for (const name of manifest.resources?.required ?? []) {
      if (!this.#resources.has(name)) {
        throw new Error(`Plugin ${manifest.name} requires resource ${name}, which the host has not registered.`);
      }
      scope.register(name, this.#resources.get(name));
    }
    for (const name of manifest.resources?.optional ?? []) {
      if (this.#resources.has(name)) scope.register(name, this.#resources.get(name));
    }
    return scope;
  }
}

export class PluginRegistryError extends Error {}

function errorClass(name) {
  const cls = { [name]: class extends PluginRegistryError {
    constructor(message) {
      super(message);
      this.name = name;
    }
  } }[name];
  return cls;
}

export const ManifestInvalid = errorClass("ManifestInvalid");
export const VersionIncompatible = errorClass("VersionIncompatible");
export const KindUnknown = errorClass("KindUnknown");
export const AmbiguousPlugin = errorClass("AmbiguousPlugin");
export const RuntimeNotSupported = errorClass("RuntimeNotSupported");
export const PluginLoadError = errorClass("PluginLoadError");
export const DependencyCycle = errorClass("DependencyCycle");
export const MissingDependency = errorClass("MissingDependency");
export const TeardownErrors = errorClass("TeardownErrors");
export const SerializationError = errorClass("SerializationError");

const guard = (cls) => (value) => value instanceof cls;
export const isManifestInvalid = guard(ManifestInvalid);
export const isVersionIncompatible = guard(VersionIncompatible);
export const isKindUnknown = guard(KindUnknown);
export const isAmbiguousPlugin = guard(AmbiguousPlugin);
export const isPluginLoadError = guard(PluginLoadError);
export const isDependencyCycle = guard(DependencyCycle);
export const isMissingDependency = guard(MissingDependency);
export const isTeardownErrors = guard(TeardownErrors);

/** The TypeScript runtime's chain order: tryfirst, normal, trylast, each by priority, ties in order. */
export function orderForChain(plugins) {
  const indexed = plugins.map((p, idx) => ({ p, idx }));
  const band = (test) => indexed.filter(test).sort((a, b) =>
    b.p.manifest.priority - a.p.manifest.priority || a.idx - b.idx);
  return [
    ...band((e) => e.p.manifest.tryfirst),
    ...band((e) => !e.p.manifest.tryfirst && !e.p.manifest.trylast),
    ...band((e) => e.p.manifest.trylast),
  ].map((e) => e.p);
}

function consoleOwned(name) {
  return { [name]: class {
    constructor() {
      throw new Error(`${name} is the host's: in the dagstack console the console loads, orders and dispatches ` +
        `plugins; install @dagstack/plugin-system beside the plugin to use it in plugin code`);
    }
  } }[name];
}

export const PluginRegistry = consoleOwned("PluginRegistry");
export const SingletonDispatcher = consoleOwned("SingletonDispatcher");
export const BroadcastCollectDispatcher = consoleOwned("BroadcastCollectDispatcher");
export const BroadcastNotifyDispatcher = consoleOwned("BroadcastNotifyDispatcher");
export const ChainDispatcher = consoleOwned("ChainDispatcher");
export const CapabilityDispatcher = consoleOwned("CapabilityDispatcher");

// The published kind contracts are types only: their namespaces hold no values.
export const ToolV1 = Object.freeze({});
export const OrchestratorV1 = Object.freeze({});
