// A TypeScript plugin's config checked against its schema, as the Python host checks a pydantic
// config_schema (guides/configuration): the error names the plugin, every field at fault by its path
// in the application config, and where the schema was applied — never a value (the section may
// hold secrets). Two ways the docs' plugins carry a schema:
//  - the guide's TypeScript plugin parses its section itself in setup
//    (`this.config = ConfigSchema.parse(ctx.config)`): a schema error (zod's ZodError, or any error
//    with zod's `issues`) escaping setup() is the config not fitting;
//  - a static `configSchema` (or `config_schema`, the Python name) on the class, with zod's
//    `safeParse` or `parse`: checked before setup() runs, as the Python host does.
import { readFileSync } from "node:fs";
import path from "node:path";
import { PluginError } from "./loading.mjs";

/** The config does not fit the plugin's schema: the console reports it as ManifestInvalid, with
 * where each of `fields` (key paths in the plugin's section) was set. */
export class ConfigInvalid extends PluginError {
  constructor(message, issues = []) {
    super(message, "config_invalid");
    this.name = "ConfigInvalid";
    this.fields = issues.map((issue) => issue.path.map(String));
  }
}

/** zod's issues ({path: (string|number)[], message}) of a schema error; null when `error` is not one. */
export function schemaIssues(error) {
  const issues = error?.issues ?? error?.errors;
  if (!Array.isArray(issues) || issues.length === 0) return null;
  const valid = issues.every((issue) => issue && Array.isArray(issue.path) && typeof issue.message === "string");
  if (!valid) return null;
  if (error?.name !== "ZodError" && !(error instanceof Error)) return null;
  return issues;
}

/** `section.field[0].sub: message; …` — every issue by its path in the application config. */
function describe(issues, section) {
  return issues.map((issue) => {
    let where = section;
    for (const step of issue.path) where += typeof step === "number" ? `[${step}]` : `.${String(step)}`;
    return `${where}: ${issue.message}`;
  }).join("; ");
}

/** `plugin.ts:12`: the plugin's innermost frame of the error's stack (source-mapped), or null. */
function pluginFrame(error, folder) {
  for (const line of String(error?.stack ?? "").split("\n")) {
    const match = /^\s+at (?:.*? \()?((?:file:\/\/)?\/[^()]*?):(\d+):\d+\)?$/.exec(line);
    if (!match) continue;
    const file = decodeURIComponent(match[1].replace(/^file:\/\//, ""));
    const relative = path.relative(folder, file);
    if (!relative.startsWith("..") && !relative.split(path.sep).includes("node_modules")) return `${relative}:${match[2]}`;
  }
  return null;
}

/** The static schema of the plugin's class, checked before set-up; throws ConfigInvalid. */
export function checkStaticSchema(instance, spec, config) {
  const cls = instance.constructor;
  const key = cls.configSchema !== undefined ? "configSchema" : cls.config_schema !== undefined ? "config_schema" : null;
  if (key === null) return;
  const schema = cls[key];
  const named = `${cls.name || "the plugin class"}.${key}`;
  const section = spec.config_section ?? spec.name;
  let issues;
  if (typeof schema?.safeParse === "function") {
    const outcome = schema.safeParse(config);
    if (outcome?.success) return;
    issues = schemaIssues(outcome?.error);
  } else if (typeof schema?.parse === "function") {
    try {
      schema.parse(config);
      return;
    } catch (error) {
      issues = schemaIssues(error);
      if (!issues) throw new ConfigInvalid(`${named} rejected the config: ${error?.name ?? "Error"}: ${error?.message ?? error}`);
    }
  } else {
    throw new ConfigInvalid(`${named} of plugin '${spec.name}' is not a schema: it has no safeParse or parse (a zod schema has both)`);
  }
  if (!issues) throw new ConfigInvalid(`${named} rejected the config without saying which field`);
  throw new ConfigInvalid(`${describe(issues, section)} (checked by ${named})`, issues);
}

/** zod's name for the type of `value` (ZodParsedType), as an invalid_type issue's `received` says it. */
function zodType(value) {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isNaN(value) ? "nan" : "number";
  return typeof value;
}

/** Whether zod's `issue` can have come from parsing `config`: its path leads through the config
 * (every step but the last a field the config has), and what the issue says it received is what
 * the config holds there. `present` tells whether the config holds a value at the issue's path. */
function issueFits(issue, config) {
  let value = config;
  for (const [index, step] of issue.path.entries()) {
    const container = value !== null && typeof value === "object";
    const has = container && Object.prototype.hasOwnProperty.call(value, step);
    if (!has && index < issue.path.length - 1) return { fits: false };
    value = has ? value[step] : undefined;
  }
  // zod 3 names the type it received; zod 4 says it in its message ("…, received string").
  const received = issue.received ?? /\breceived (\w+)$/.exec(issue.message)?.[1];
  if (issue.code === "invalid_type" && received !== undefined && received !== zodType(value)) {
    // zod 3 reports an integer check as invalid_type with received "float".
    if (!(received === "float" && typeof value === "number")) return { fits: false };
  }
  if ("input" in issue && JSON.stringify(issue.input) !== JSON.stringify(value)) return { fits: false };
  if (issue.code !== "invalid_type" && value === undefined && issue.path.length > 0) return { fits: false };
  return { fits: true, present: value !== undefined };
}

/** Whether the source line at `at` (`file:line`, relative to `folder`) names a config (`ctx.config`,
 * a `config` variable): where the schema was applied, when the issues alone cannot tell. */
function lineNamesConfig(at, folder) {
  const match = /^(.*):(\d+)$/.exec(at ?? "");
  if (!match) return false;
  let text;
  try {
    text = readFileSync(path.resolve(folder, match[1]), "utf8").split("\n")[Number(match[2]) - 1] ?? "";
  } catch {
    return false;
  }
  return /(^|[^\w$])config([^\w$]|$)/.test(text);
}

/** Whether the schema error set-up threw came from parsing the plugin's own config (`config`, what
 * ctx.config held). Every issue must fit the config; when each is about a field the config lacks
 * (as a file's or a resource's missing field would be too), the parse call must name the config. */
function fromConfig(issues, config, at, folder) {
  const fitted = issues.map((issue) => issueFits(issue, config));
  if (!fitted.every((f) => f.fits)) return false;
  return fitted.some((f) => f.present) || lineNamesConfig(at, folder);
}

/** What set-up threw, when it is a schema's error: ConfigInvalid when the plugin parsed its config
 * and it did not fit; otherwise the plugin's own failure (a file, a resource or a response it parsed
 * did not fit), as an error of zod's type whose message lists the issues. Null when `error` is not
 * a schema's error. */
export function fromSetupError(error, spec, config) {
  const issues = schemaIssues(error);
  if (!issues) return null;
  const folder = spec.real_folder ?? spec.folder;
  const at = pluginFrame(error, folder) ?? pluginFrame(error, spec.folder);
  const name = error.name || "a schema error";
  if (fromConfig(issues, config ?? {}, at, folder)) {
    return new ConfigInvalid(`${describe(issues, spec.config_section ?? spec.name)} (${name} thrown by setup()${at ? ` at ${at}` : ""})`, issues);
  }
  const own = new Error(
    `a schema in setup()${at ? ` at ${at}` : ""} rejected a value that is not the plugin's config: ${describe(issues, "(the value)").replaceAll("(the value).", "")}`);
  own.name = error.name || "Error";
  own.stack = error.stack;
  return own;
}
