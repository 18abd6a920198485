// The worker of `stuck.mjs`: answers the console's question "where was the plugin's code?".
import fs from "node:fs";
import { Session } from "node:inspector";
import { SourceMap } from "node:module";
import { fileURLToPath } from "node:url";
import { workerData } from "node:worker_threads";

const { file, ask, hostDir } = workerData;
// The innermost frames of plugin code shown: enough for the loop and what called it.
const SHOWN = 5;

setInterval(() => {
  if (!fs.existsSync(ask)) return;
  fs.rmSync(ask, { force: true });
  answer();
}, 100);

function answer() {
  const session = new Session();
  session.connectToMainThread();
  const scripts = new Map();
  session.on("Debugger.scriptParsed", ({ params }) => scripts.set(params.scriptId, params.url));
  session.on("Debugger.paused", ({ params }) => {
    const frames = params.callFrames.map((frame) => place(session, frame, scripts.get(frame.location.scriptId) ?? frame.url));
    Promise.all(frames).then((found) => {
      write(found.reverse());
      session.post("Debugger.resume");
    });
  });
  session.post("Debugger.enable", () => session.post("Debugger.pause"));
}

/** A frame as the console shows it: the file, line and source line of what was written, the .ts
 * file's for compiled TypeScript. */
async function place(session, frame, url) {
  const line = frame.location.lineNumber, column = frame.location.columnNumber ?? 0;
  const result = { file: url, line: line + 1, function: frame.functionName || "<anonymous>", source: "" };
  if (!url.startsWith("file://")) return result;
  result.file = fileURLToPath(url);
  const map = await sourceMap(session, frame.location.scriptId);
  const entry = map?.findEntry(line, column);
  if (entry && entry.originalSource) {
    result.file = entry.originalSource.startsWith("file://") ? fileURLToPath(entry.originalSource) : entry.originalSource;
    result.line = entry.originalLine + 1;
  }
  result.source = sourceLine(result.file, result.line);
  return result;
}

const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json[^,]*;base64,([A-Za-z0-9+/=]+)\s*$/;

function sourceMap(session, scriptId) {
  return new Promise((resolve) => {
    session.post("Debugger.getScriptSource", { scriptId }, (error, reply) => {
      const encoded = !error && INLINE_MAP.exec(reply?.scriptSource ?? "")?.[1];
      try {
        resolve(encoded ? new SourceMap(JSON.parse(Buffer.from(encoded, "base64").toString("utf8"))) : null);
      } catch {
        resolve(null);
      }
    });
  });
}

function sourceLine(path, line) {
  try {
    return (fs.readFileSync(path, "utf8").split("\n")[line - 1] ?? "").trim();
  } catch {
    return "";
  }
}

/** The plugin's innermost frames (none of the host's, none of Node's own), outermost first, written
 * whole or not at all. */
function write(frames) {
  const own = frames.filter((f) => f.file.startsWith("/") && !f.file.startsWith(hostDir));
  const report = { frames: own.slice(-SHOWN) };
  if (own.length === 0) return;
  fs.writeFileSync(`${file}.partial`, JSON.stringify(report));
  fs.renameSync(`${file}.partial`, file);
}
