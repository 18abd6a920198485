// A TypeScript plugin's config checked against its schema, as the Python host checks a pydantic
// config_schema (guides/configuration): the error names the plugin, every field at fault by its path
// in the application config, and where the schema was applied — never a value (the section may
// hold secrets). Two ways the docs' plugins carry a schema:
//  - the guide's TypeScript plugin parses its section itself in setup
//    (`this.config = ConfigSchema.parse(ctx.config)`): a schema error (zod's ZodError, or any error
//    with zod's `issues`) escaping setup() is the config not fitting;
//  - a static `configSchema` (or `config_schema`, the Python name) on the class, with zod's
//    `safeParse` or `parse`: checked before setup() runs, as the Python host does.
import path from "node:path";
import { PluginError } from "./loading.mjs";

/** The config does not fit the plugin's schema: the console reports it as ManifestInvalid. */
export class ConfigInvalid extends PluginError {
  constructor(message) {
    super(message, "config_invalid");
    this.name = "ConfigInvalid";
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
  throw new ConfigInvalid(`${describe(issues, section)} (checked by ${named})`);
}

/** What set-up threw, as ConfigInvalid when it is a schema's error (the plugin parsed its config
 * and it did not fit); null otherwise. */
export function fromSetupError(error, spec) {
  const issues = schemaIssues(error);
  if (!issues) return null;
  const at = pluginFrame(error, spec.real_folder ?? spec.folder) ?? pluginFrame(error, spec.folder);
  return new ConfigInvalid(`${describe(issues, spec.config_section ?? spec.name)} (${error.name || "a schema error"} thrown by setup()${at ? ` at ${at}` : ""})`);
}
