// Values across the boundary: what a plugin returns, as JSON, and what it receives.

/** The chain's stop sentinel, as `@dagstack/plugin-system` exports it (cross-realm via Symbol.for). */
export const STOP_CHAIN = Symbol.for("dagstack.plugin_system.STOP_CHAIN");

/** How STOP_CHAIN travels wherever only JSON can carry it. */
export const STOP_CHAIN_MARKER = { __dagstack__: "STOP_CHAIN" };

/** What the console carries (its JSONLimits, sent with `load`). */
export const LIMITS = { max_depth: 256 };

export class SerializationError extends Error {
  constructor(message) {
    super(message);
    this.name = "SerializationError";
    this.kind = "serialization";
  }
}

// Half a UTF-16 surrogate pair, which UTF-8 (and so the console) cannot carry.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

class Unserializable extends Error {
  constructor(reason) {
    super(reason);
    this.steps = [];
  }
}

/** Built-in objects JSON.stringify would turn into something else without a word. */
const REFUSED = new Map([
  [Map, "a Map; JSON has no maps (return Object.fromEntries(map))"],
  [Set, "a Set; JSON has no sets (return [...set])"],
  [WeakMap, "a WeakMap, which JSON cannot carry"],
  [WeakSet, "a WeakSet, which JSON cannot carry"],
  [Date, "a Date; JSON has no dates (return date.toISOString())"],
  [RegExp, "a RegExp, which JSON cannot carry"],
  [Promise, "a Promise: the hook returned it without awaiting it inside a value"],
  [Error, "an Error object, which JSON carries as {}"],
]);

function refusal(value, strict) {
  for (const [type, reason] of REFUSED) if (value instanceof type) return reason;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    return `a ${value.constructor?.name ?? "binary buffer"}; JSON has no bytes (return an array of numbers or base64 text)`;
  }
  const proto = Object.getPrototypeOf(value);
  if (strict && proto !== Object.prototype && proto !== null && !Array.isArray(value)) {
    return `an instance of ${value.constructor?.name ?? "a class"}, which comes back from JSON as a plain object; return a plain object`;
  }
  return null;
}

/** What a plugin returned, as JSON; anything JSON cannot carry names its path. With `strict` (the
 * contract checks), class instances are refused too: they come back as plain objects. */
export function toWire(value, strict = false) {
  try {
    return convert(value, strict, LIMITS.max_depth, new Set(), true);
  } catch (error) {
    if (!(error instanceof Unserializable)) throw error;
    throw new SerializationError(`$${steps(error.steps)}: ${error.message}`);
  }
}

function steps(list) {
  const ordered = [...list].reverse();
  if (ordered.length > 12) {
    return ordered.slice(0, 6).join("") + "…" + ordered.slice(-4).join("") + ` (${ordered.length} levels)`;
  }
  return ordered.join("");
}

function member(key) {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Two keys that differ only in Unicode normalisation ("caf\u00e9", "cafe\u0301"): the console's
 * objects cannot hold both and could not read the answer at all; said here, as this value's fault,
 * naming where (as the Python host says it). */
function refuseNormalisationTwins(keys) {
  if (keys.every((key) => !/[^\x00-\x7f]/.test(key))) return;
  const seen = new Map();
  for (const key of keys) {
    const nfc = key.normalize("NFC");
    if (seen.has(nfc)) {
      const escaped = (text) => JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
      throw new Unserializable(`two keys differ only in Unicode normalisation (${escaped(seen.get(nfc))} and ${escaped(key)}); an object here cannot hold both`);
    }
    seen.set(nfc, key);
  }
}

function convert(value, strict, depth, seen, top = false) {
  switch (typeof value) {
    case "string":
      if (LONE_SURROGATE.test(value)) {
        throw new Unserializable("the string contains a lone surrogate, which is not valid Unicode");
      }
      return value;
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw new Unserializable(`${value} is not a JSON number`);
      return value;
    case "bigint":
      throw new Unserializable(`a BigInt (${value}n); JSON has no BigInt (return Number(x) or String(x))`);
    case "undefined":
      if (top) return null; // a hook that returns nothing answers null, as a Python hook returning None
      throw new Unserializable("undefined, which JSON cannot carry (JSON.stringify would write null)");
    case "function":
      throw new Unserializable(`a function (${value.name || "anonymous"}), which JSON cannot carry`);
    case "symbol":
      if (value === STOP_CHAIN) return { ...STOP_CHAIN_MARKER };
      throw new Unserializable(`a Symbol (${value.description ?? ""}), which JSON cannot carry`);
  }
  if (value === null) return null;
  const refused = refusal(value, strict);
  if (refused) throw new Unserializable(refused);
  if (seen.has(value)) throw new Unserializable("a cycle: this value contains itself");
  if (depth <= 0) throw new Unserializable(`nested deeper than ${LIMITS.max_depth} levels`);
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      const out = new Array(value.length);
      for (let i = 0; i < value.length; i++) {
        try {
          out[i] = convert(value[i], strict, depth - 1, seen);
        } catch (error) {
          if (error instanceof Unserializable) error.steps.push(`[${i}]`);
          throw error;
        }
      }
      return out;
    }
    if (typeof value.toJSON === "function" && !strict) {
      return convert(value.toJSON(), strict, depth, seen, false);
    }
    const out = {};
    const keys = Object.keys(value);
    refuseNormalisationTwins(keys);
    for (const key of keys) {
      const item = value[key];
      // A member set to undefined is absent in JSON, as JSON.stringify leaves it out.
      if (item === undefined) continue;
      try {
        out[key] = convert(item, strict, depth - 1, seen);
      } catch (error) {
        if (error instanceof Unserializable) error.steps.push(member(key));
        throw error;
      }
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** A value from the console, as plugin code receives it: STOP_CHAIN's marker is STOP_CHAIN. */
export function fromWire(value) {
  if (value !== null && typeof value === "object" && !Array.isArray(value) && value.__dagstack__ === "STOP_CHAIN" &&
      Object.keys(value).length === 1) {
    return STOP_CHAIN;
  }
  return value;
}

/** One stage's output as the next stage's input: a copy, so what this stage returned stays as it was. */
export function copy(value) {
  return structuredClone(value);
}
