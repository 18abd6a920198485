// Module hooks (module.register): TypeScript files are compiled with esbuild as they are imported
// (type stripping only, no type check, an inline source map so stacks show the .ts lines), a
// TypeScript import written the NodeNext way (`./helpers.js` for helpers.ts) or without an extension
// finds its file, and `@dagstack/plugin-system` is the console's shim unless the real package is
// installed beside the plugin. These hooks run on a thread of their own.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { fileURLToPath } from "node:url";

const TYPESCRIPT = /\.(ts|mts|cts|tsx)$/;
const SHIM = new URL("./plugin-system.mjs", import.meta.url).href;
let esbuild = "esbuild";

export async function initialize(data) {
  if (data?.esbuild) esbuild = data.esbuild;
}

function exists(url) {
  try {
    return fs.statSync(fileURLToPath(url)).isFile();
  } catch {
    return false;
  }
}

/** For a relative import from a TypeScript file that does not resolve as written: the file a
 * TypeScript author meant (helpers.js → helpers.ts, helpers → helpers.ts, dir → dir/index.ts). */
function typescriptCandidate(specifier, parentURL) {
  if (!parentURL || !(specifier.startsWith("./") || specifier.startsWith("../"))) return null;
  const base = new URL(specifier, parentURL);
  const stem = base.href.replace(/\.(js|mjs|cjs|jsx)$/, "");
  const candidates = [".ts", ".mts", ".tsx", ".js", ".mjs"].map((ext) => stem + ext)
    .concat(["/index.ts", "/index.js"].map((ext) => base.href + ext));
  return candidates.find((url) => exists(url)) ?? null;
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (specifier === "@dagstack/plugin-system") return { url: SHIM, shortCircuit: true };
    if (error?.code === "ERR_MODULE_NOT_FOUND" || error?.code === "ERR_UNSUPPORTED_DIR_IMPORT") {
      const candidate = typescriptCandidate(specifier, context.parentURL);
      if (candidate) return { url: candidate, shortCircuit: true };
    }
    throw error;
  }
}

/** esbuild's first error, as "file:line:column: message" (line and column counted from 1). */
function compileError(path, stderr) {
  const text = String(stderr);
  const message = /\[ERROR\]\s*(.*)/.exec(text)?.[1]?.trim() ?? text.trim();
  const where = /^\s*(.+):(\d+):(\d+):\s*$/m.exec(text);
  const position = where ? `${path}:${where[2]}:${Number(where[3]) + 1}` : path;
  const error = new SyntaxError(`${position}: ${message}`);
  error.name = "SyntaxError";
  error.stack = `SyntaxError: ${position}: ${message}\n${text.split("\n").filter((line) => /│|╵|\^/.test(line)).join("\n")}`;
  return error;
}

// An import or export statement at the start of a line: a .js file written as an ES module.
const MODULE_SYNTAX = /^\s*(import\s*[\w{*"']|export\s)/m;

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:")) return nextLoad(url, context);
  if (!TYPESCRIPT.test(url)) {
    const loaded = await nextLoad(url, context);
    // A .js plugin with `export class` and no package.json saying "type": "module" is an ES module
    // all the same (as Node 22 detects; older Node would fail it as CommonJS).
    if (loaded.format === "commonjs" && url.endsWith(".js")) {
      const source = fs.readFileSync(fileURLToPath(url), "utf8");
      if (MODULE_SYNTAX.test(source)) return { format: "module", source, shortCircuit: true };
    }
    return loaded;
  }
  const path = fileURLToPath(url);
  const source = fs.readFileSync(path);
  let compiled;
  try {
    compiled = execFileSync(esbuild, [
      `--loader=${url.endsWith(".tsx") ? "tsx" : "ts"}`, "--format=esm", "--sourcemap=inline", `--sourcefile=${path}`,
      "--color=false", "--log-level=error", "--target=node20",
    ], { input: source, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 256 << 20 });
  } catch (error) {
    if (error.code === "ENOENT") {
      throw new Error(`${path} is TypeScript, and compiling it needs esbuild, which was not found (${esbuild}): ` +
        `apt-get install esbuild (make run installs it when the directory has TypeScript plugins), or name it with DAGSTACK_ESBUILD`);
    }
    throw compileError(path, error.stderr ?? error.message);
  }
  return { format: "module", source: compiled, shortCircuit: true };
}

