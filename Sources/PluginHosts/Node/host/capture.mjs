// What plugins print and log during one call, kept with that call's result. Each call runs in an
// AsyncLocalStorage of its own, so what an awaited promise, a timer or a nested call writes goes to
// the call that started it, however calls interleave.
import { AsyncLocalStorage } from "node:async_hooks";
import fs from "node:fs";
import util from "node:util";
import { sendOutput } from "./wire.mjs";

// What one call may keep of its output; the rest is counted and said to be dropped.
export const LIMIT = 1 << 20;

class Capture {
  logs = [];
  kept = 0;
  dropped = {};
  partial = { stdout: "", stderr: "" };
  done = false;

  add(entry) {
    const room = LIMIT - this.kept;
    if (entry.text.length > room) {
      this.dropped[entry.stream] = (this.dropped[entry.stream] ?? 0) + entry.text.length - Math.max(room, 0);
      if (room <= 0) return;
      entry = { ...entry, text: entry.text.slice(0, room) };
    }
    this.kept += entry.text.length;
    this.logs.push(entry);
    sendOutput(entry);
  }

  write(stream, text) {
    const lines = (this.partial[stream] + text).split("\n");
    this.partial[stream] = lines.pop();
    for (const line of lines) this.add({ stream, text: line });
  }

  finish() {
    for (const stream of ["stdout", "stderr"]) {
      if (this.partial[stream]) this.add({ stream, text: this.partial[stream] });
      this.partial[stream] = "";
    }
    for (const [stream, count] of Object.entries(this.dropped)) {
      this.logs.push({
        stream,
        text: `[… ${count} more characters of ${stream} not kept: the console keeps ${LIMIT / 1024} KiB of a call's output]`,
      });
    }
    this.done = true;
    return this.logs;
  }
}

const storage = new AsyncLocalStorage();

/** Output from code outside any call, or from a call that already answered (a timer it left): to
 * the host's stderr, which the console shows with the next call of the directory. */
function late(stream, text) {
  if (text) fs.writeSync(2, stream === "stderr" ? text : `[${stream}] ${text}`);
}

function write(stream, text) {
  const capture = storage.getStore();
  if (capture && !capture.done) capture.write(stream, text);
  else late(stream, text);
}

/** A log record (ctx.logger): one entry, at its level. */
export function log(level, logger, text) {
  const capture = storage.getStore();
  if (capture && !capture.done) capture.add({ stream: "log", level, logger, text });
  else late("log", `${level} ${text}\n`);
}

/** Routes console.*, process.stdout.write and process.stderr.write into the current call's capture. */
export function install() {
  const toStdout = (...args) => write("stdout", util.format(...args) + "\n");
  const toStderr = (...args) => write("stderr", util.format(...args) + "\n");
  console.log = console.info = console.debug = toStdout;
  console.error = console.warn = toStderr;
  console.trace = (...args) => {
    const stack = (new Error().stack ?? "").split("\n").slice(2).join("\n");
    write("stderr", `Trace: ${util.format(...args)}\n${stack}\n`);
  };
  console.dir = (value, options) => write("stdout", util.inspect(value, options) + "\n");
  for (const [name, stream] of [["stdout", process.stdout], ["stderr", process.stderr]]) {
    stream.write = (chunk, encoding, callback) => {
      write(name, typeof chunk === "string" ? chunk : Buffer.from(chunk).toString(typeof encoding === "string" ? encoding : "utf8"));
      const done = typeof encoding === "function" ? encoding : callback;
      if (typeof done === "function") process.nextTick(done);
      return true;
    };
  }
}

/** Runs `fn` (awaiting what it returns) with its output captured. Returns {value} or {error}, with
 * the call's logs. */
export async function runCaptured(fn) {
  const capture = new Capture();
  return storage.run(capture, async () => {
    try {
      const value = await fn();
      return { value, logs: capture.finish() };
    } catch (error) {
      return { error, logs: capture.finish() };
    }
  });
}
