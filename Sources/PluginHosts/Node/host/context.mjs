// The ctx plugin code receives: the TypeScript runtime's PluginContext (config, resources,
// manifest) with what the docs give plugin code besides — logger, registry (getPlugin,
// listManifests) and the call's metadata. Resources are the console's: the clock and rng (frozen
// and seeded for the contract checks), the http client and blob store the console runs, custom values.
import * as capture from "./capture.mjs";
import { ResourceRegistry } from "./plugin-system.mjs";
import { fromWire, toWire } from "./values.mjs";
import { callConsole } from "./wire.mjs";

class SystemClock {
  now() { return new Date(); }
  monotonicNs() { return process.hrtime.bigint(); }
  monotonic_ns() { return this.monotonicNs(); }
}

class FrozenClock {
  #at;
  #monotonic = 0n;
  constructor(at) { this.#at = new Date(at); }
  now() { return new Date(this.#at); }
  advance({ seconds }) {
    this.#at = new Date(this.#at.getTime() + seconds * 1000);
    this.#monotonic += BigInt(Math.round(seconds * 1e9));
  }
  /** Frozen too: moves only with advance(). */
  monotonicNs() { return this.#monotonic; }
  monotonic_ns() { return this.#monotonic; }
}

/** reference/resources-list's Rng (nextFloat, nextInt inclusive, uuid4, choice) and the Python
 * names (random, randint, next_float, next_int), from one generator. */
class Rng {
  #next;
  constructor(next) { this.#next = next; }
  nextFloat() { return this.#next(); }
  nextInt(low, high) { return low + Math.floor(this.#next() * (high - low + 1)); }
  uuid4() {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.#next() * 16).toString(16));
    hex[12] = "4";
    hex[16] = "89ab"[Math.floor(this.#next() * 4)];
    const s = hex.join("");
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }
  choice(items) { return items[Math.floor(this.#next() * items.length)]; }
  random() { return this.nextFloat(); }
  randint(low, high) { return this.nextInt(low, high); }
  next_float() { return this.nextFloat(); }
  next_int(low, high) { return this.nextInt(low, high); }
}

/** A seeded generator (sfc32 from the seed): the same numbers for the same seed, every run. */
function seeded(seed) {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = Number(seed) >>> 0;
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b | 0) + d | 0;
    d = d + 1 | 0;
    a = b ^ b >>> 9;
    b = c + (c << 3) | 0;
    c = c << 21 | c >>> 11;
    c = c + t | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  return next;
}

/** A request to the console, its error thrown as the error it names. */
async function request(method, params) {
  return callConsole(method, params);
}

/** A response's headers: a plain object by lower-case name (`headers["content-type"]`, as the
 * Python host gives them) that also answers fetch's Headers methods (`get`, `has`, `forEach`,
 * `entries`), as TypeScript code reading a response writes. */
function responseHeaders(raw) {
  const headers = Object.fromEntries(Object.entries(raw ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const methods = {
    get: (name) => headers[String(name).toLowerCase()] ?? null,
    has: (name) => String(name).toLowerCase() in headers,
    forEach: (fn) => { for (const [k, v] of Object.entries(headers)) fn(v, k, headers); },
    entries: () => Object.entries(headers)[Symbol.iterator](),
    keys: () => Object.keys(headers)[Symbol.iterator](),
    values: () => Object.values(headers)[Symbol.iterator](),
    [Symbol.iterator]: () => Object.entries(headers)[Symbol.iterator](),
  };
  for (const [name, fn] of Object.entries(methods)) Object.defineProperty(headers, name, { value: fn });
  Object.defineProperty(headers, Symbol.iterator, { value: methods[Symbol.iterator] });
  return headers;
}

/** The response: fetch's fields (`status`, `ok`, `statusText`, `headers.get`, `json()`, `text()`,
 * `arrayBuffer()`, which may be awaited) and the Python host's (`status_code`, `content`). */
class HttpResponse {
  constructor(method, url, reply) {
    this.method = method;
    this.url = url;
    this.status = this.status_code = this.statusCode = reply.status_code;
    this.statusText = reply.reason ?? "";
    this.headers = responseHeaders(reply.headers);
    this.body = this.content = Buffer.from(reply.body_base64 ?? "", "base64");
    this.ok = this.status >= 200 && this.status < 300;
  }
  text() { return this.body.toString("utf8"); }
  json() { return JSON.parse(this.text()); }
  arrayBuffer() { return this.body.buffer.slice(this.body.byteOffset, this.body.byteOffset + this.body.byteLength); }
}

/** Request headers as fetch's RequestInit takes them: an object, a Headers, or [name, value] pairs. */
function requestHeaders(headers) {
  if (headers == null) return {};
  if (Array.isArray(headers)) return Object.fromEntries(headers.map(([k, v]) => [String(k), String(v)]));
  if (typeof headers.forEach === "function" && typeof headers.get === "function") {
    const out = {};
    headers.forEach((value, name) => { out[name] = String(value); });
    return out;
  }
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)]));
}

const hasHeader = (headers, name) => Object.keys(headers).some((k) => k.toLowerCase() === name);

/** A body as bytes with its content type: a string as text, bytes as they are, anything else as JSON. */
function encodeBody(body, headers) {
  if (body === undefined || body === null) return null;
  if (typeof body === "string") {
    if (!hasHeader(headers, "content-type")) headers["Content-Type"] = "text/plain;charset=UTF-8";
    return Buffer.from(body);
  }
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    return ArrayBuffer.isView(body) ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : Buffer.from(body);
  }
  if (body instanceof URLSearchParams) {
    if (!hasHeader(headers, "content-type")) headers["Content-Type"] = "application/x-www-form-urlencoded;charset=UTF-8";
    return Buffer.from(body.toString());
  }
  if (!hasHeader(headers, "content-type")) headers["Content-Type"] = "application/json";
  return Buffer.from(JSON.stringify(toWire(body)));
}

/** The http_client resource, with reference/resources-list's TypeScript signatures —
 * `get(url, init?)`, `post(url, body, init?)`, `put(url, body, init?)`, `patch(url, body, init?)`,
 * `delete(url, init?)`, `head(url, init?)`, where `init` is fetch's RequestInit (its `headers`, and
 * its `body` for `request`) — and `request(method, url, {headers, json, body, timeout})`. The
 * console makes each request, so it shows in the trace and is kept in a recording. */
class HttpClient {
  constructor(caller) { this.caller = caller; }
  async request(method, url, { headers, json, body, timeout } = {}) {
    const sent = requestHeaders(headers);
    let bytes;
    if (json !== undefined) {
      bytes = Buffer.from(JSON.stringify(toWire(json)));
      if (!hasHeader(sent, "content-type")) sent["Content-Type"] = "application/json";
    } else {
      bytes = encodeBody(body, sent);
    }
    const reply = await request("http.request", {
      method: method.toUpperCase(), url: String(url), headers: sent, timeout: timeout ?? null, caller: this.caller,
      body_base64: bytes === null ? null : bytes.toString("base64"),
    });
    return new HttpResponse(method.toUpperCase(), String(url), reply);
  }
  get(url, init = {}) { return this.request("GET", url, { headers: init.headers, timeout: init.timeout }); }
  head(url, init = {}) { return this.request("HEAD", url, { headers: init.headers, timeout: init.timeout }); }
  delete(url, init = {}) { return this.request("DELETE", url, { headers: init.headers, body: init.body, timeout: init.timeout }); }
  post(url, body, init = {}) { return this.request("POST", url, { headers: init.headers, body: body ?? init.body, timeout: init.timeout }); }
  put(url, body, init = {}) { return this.request("PUT", url, { headers: init.headers, body: body ?? init.body, timeout: init.timeout }); }
  patch(url, body, init = {}) { return this.request("PATCH", url, { headers: init.headers, body: body ?? init.body, timeout: init.timeout }); }
}

/** The blob_store resource: put, get (null when absent), delete, list(prefix), exists. */
class BlobStore {
  constructor(spec) { this.path = spec?.path; }
  async put(key, data, { contentType = null } = {}) {
    await request("blob.put", { key, data_base64: Buffer.from(data).toString("base64"), content_type: contentType });
  }
  async get(key) {
    const reply = await request("blob.get", { key });
    return reply.data_base64 == null ? null : Buffer.from(reply.data_base64, "base64");
  }
  async delete(key) { await request("blob.delete", { key }); }
  async list(prefix = "") { return (await request("blob.list", { prefix })).keys ?? []; }
  async exists(key) { return Boolean((await request("blob.exists", { key })).exists); }
}

function makeResource(descriptor, caller) {
  const spec = descriptor.spec ?? {};
  switch (descriptor.resource) {
    case "clock": return spec.type === "frozen" ? new FrozenClock(spec.at) : new SystemClock();
    case "rng": return new Rng(spec.type === "seeded" ? seeded(spec.seed) : Math.random);
    case "http_client": return new HttpClient(caller);
    case "blob_store": return new BlobStore(spec);
    default: return descriptor.value;
  }
}

/** A plugin of another runtime (or another plugin of this host) as getPlugin returns it: each hook
 * is an async method that runs through the console, so traces show it. */
function proxy(caller, name, kind, hooks) {
  return new Proxy({}, {
    get(_, hook) {
      if (typeof hook !== "string" || hook === "then") return undefined;
      if (hooks && !hooks.includes(hook)) {
        throw new TypeError(`plugin '${name}' (${kind}) has no hook '${hook}'; hooks: ${hooks.join(", ") || "none"}`);
      }
      return async (...args) => {
        const reply = await request("registry.call", {
          caller, plugin: name, hook, args: args.map((a) => toWire(a)), kwargs: {},
        });
        return fromWire(reply?.value ?? null);
      };
    },
  });
}

class Logger {
  constructor(name) { this.name = `dagstack.plugin.${name}`; this.plugin = name; }
  #log(level, args) {
    const text = args.map((a) => (typeof a === "string" ? a : JSON.stringify(a) ?? String(a))).join(" ");
    capture.log(level, this.name, `${this.name}: ${text}`);
  }
  debug(...args) { this.#log("DEBUG", args); }
  info(...args) { this.#log("INFO", args); }
  warn(...args) { this.#log("WARNING", args); }
  warning(...args) { this.#log("WARNING", args); }
  error(...args) { this.#log("ERROR", args); }
}

/** The ctx of each plugin, kept while the call metadata stays the same. */
export class Contexts {
  descriptors = {};
  configs = new Map();
  #cache = new Map();
  #instances = null;

  configure(descriptors, instances) {
    this.descriptors = descriptors;
    this.#instances = instances;
    this.#cache.clear();
  }

  setConfig(name, config) {
    this.configs.set(name, config ?? {});
    this.#cache.delete(name);
  }

  forget(name) { this.#cache.delete(name); }

  get(name, spec, metadata = {}) {
    const cached = this.#cache.get(name);
    const key = JSON.stringify(metadata);
    if (cached && cached.key === key) return cached.ctx;
    const ctx = this.#make(name, spec, metadata);
    this.#cache.set(name, { key, ctx });
    return ctx;
  }

  #make(name, spec, metadata) {
    const resources = new ResourceRegistry();
    for (const resource of spec.resources ?? []) {
      const descriptor = this.descriptors[resource];
      if (descriptor) resources.register(resource, makeResource(descriptor, name));
      else if (!(spec.optional_resources ?? []).includes(resource)) {
        throw new Error(`Plugin ${name} requires resource ${resource}, which the host has not registered.`);
      }
    }
    // ctx.resources.clock as well as ctx.resources.get("clock").
    for (const resource of resources.names()) {
      if (!(resource in resources)) Object.defineProperty(resources, resource, { value: resources.get(resource), enumerable: true });
    }
    const instances = this.#instances;
    const registry = {
      async getPlugin(kind, pluginName = null) {
        const reply = await request("registry.get_plugin", { caller: name, kind, name: pluginName });
        if (reply.local && instances?.has(reply.plugin)) return instances.get(reply.plugin);
        return proxy(name, reply.plugin, kind, reply.hooks);
      },
      async listManifests() { return request("registry.list_manifests", { caller: name }); },
    };
    registry.get_plugin = registry.getPlugin;
    registry.list_manifests = registry.listManifests;
    return {
      config: structuredClone(this.configs.get(name) ?? {}),
      resources,
      manifest: spec.manifest ?? { name },
      logger: new Logger(name),
      registry,
      metadata: { ...metadata },
    };
  }
}

export const CONTEXTS = new Contexts();
