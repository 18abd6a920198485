// The contract checks' scan of a plugin module for module-level mutable state (ADR-0003 #1), as the
// Python host scans plugin.py: a top-level `let`/`var`, a top-level `const` holding a mutable
// object (an array or object literal, a Map, Set, WeakMap...), a class's static field holding one,
// and an environment variable read when the module is imported. The module is read as esbuild
// prints it — one top-level statement per line at column 0, class members indented — so the scan
// needs no parser; lines are found again in the source for the report.
import { execFileSync } from "node:child_process";
import fs from "node:fs";

const MUTABLE_VALUE = /^(\[|\{|new\s+(Map|Set|WeakMap|WeakSet|Array|Object)\b|(Array|Object)\.(from|assign)\b|structuredClone\b)/;
const TOP_BINDING = /^(let|var|const)\s+(.*)$/;
const STATIC_FIELD = /^\s+static\s+(#?[A-Za-z_$][\w$]*)\s*=\s*(.*)$/;

function normalized(file, esbuild) {
  const loader = /\.m?ts$/.test(file) ? "ts" : "js";
  return execFileSync(esbuild, [`--loader=${loader}`, "--format=esm", "--color=false", "--log-level=error", "--target=esnext"], {
    input: fs.readFileSync(file), stdio: ["pipe", "pipe", "pipe"], maxBuffer: 256 << 20,
  }).toString("utf8");
}

/** The 1-based line of the first source line matching `pattern` at or after `from`, else 0. */
function lineOf(lines, pattern, from = 0) {
  for (let i = from; i < lines.length; i++) if (pattern.test(lines[i])) return i + 1;
  return 0;
}

const escape = (name) => name.replace(/[$]/g, "\\$");

/** `name = value, other = value` of one declaration line: the names and where each value starts. */
function declarations(text) {
  const found = [];
  let depth = 0;
  let start = 0;
  const parts = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if ((c === "," && depth === 0) || (c === ";" && depth === 0)) {
      parts.push(text.slice(start, i));
      start = i + 1;
      if (c === ";") break;
    }
  }
  if (start < text.length && !parts.length) parts.push(text.slice(start));
  for (const part of parts) {
    const match = /^\s*([A-Za-z_$][\w$]*)\s*(?:=\s*([\s\S]*))?$/.exec(part);
    if (match) found.push({ name: match[1], value: (match[2] ?? "").trim() });
  }
  return found;
}

function violation(name, line, kind, message) {
  const constant = name.replace(/^_+/, "").toUpperCase() === name.replace(/^_+/, "") && /[A-Z]/.test(name);
  return {
    name, line, kind, severity: constant ? "warning" : "error",
    message: constant ? "an UPPER_CASE module-level mutable value: treated as a constant, never mutate it" : message,
  };
}

export function ambientState(file, esbuild = "esbuild") {
  const source = fs.readFileSync(file, "utf8").split("\n");
  const found = [];
  let envFrom = 0;
  for (const raw of normalized(file, esbuild).split("\n")) {
    const line = raw.replace(/\/\*[^*]*\*\/\s*/g, "");
    if (/^\S/.test(line) && /\bprocess\.env\b/.test(line)) {
      const at = lineOf(source, /\bprocess\.env\b/, envFrom);
      envFrom = at;
      found.push({
        name: "process.env", line: at, kind: "environment", severity: "error",
        message: "an environment variable read when the module is imported: read it in setup() and keep the value",
      });
    }
    const top = TOP_BINDING.exec(line);
    if (top) {
      const [, keyword, rest] = top;
      for (const { name, value } of declarations(rest)) {
        const at = lineOf(source, new RegExp(`\\b${keyword === "const" ? "const" : "(let|var)"}\\s+([^;]*[,{\\s])?${escape(name)}\\b`));
        if (keyword !== "const") {
          found.push(violation(name, at, "mutable_binding", `a module-level \`${keyword}\` is state shared by every instance and outlives teardown`));
        } else if (MUTABLE_VALUE.test(value)) {
          const kind = /^[[{]/.test(value) ? "mutable_literal" : "mutable_call";
          found.push(violation(name, at, kind, "module-level mutable state is shared by every instance and outlives teardown"));
        }
      }
      continue;
    }
    const field = STATIC_FIELD.exec(line);
    if (field && MUTABLE_VALUE.test(field[2].trim())) {
      const at = lineOf(source, new RegExp(`static\\s+(readonly\\s+)?${escape(field[1])}\\b`));
      found.push(violation(field[1], at, "class_mutable", "a static field holding a mutable value is state shared by every instance and outlives teardown"));
    }
  }
  return found.sort((a, b) => a.line - b.line);
}
