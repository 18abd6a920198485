// The protocol's wire: newline-delimited JSON-RPC 2.0 on the stdin/stdout the host was started with.
// Plugin code never writes there: `capture` replaces console.* and process.stdout/stderr.write before
// any plugin is imported, and the host writes its lines with fs.writeSync on fd 1 itself.
import fs from "node:fs";

// Every `output` notification starts with these bytes (as the Python host's): the console matches
// them without parsing the rest unless the call never answers.
const OUTPUT_PREFIX = '{"jsonrpc":"2.0","method":"output","params":';

let nextRequest = 0;
const pending = new Map();
let handleRequest = null;

/** Writes all of `text` to fd 1, waiting when the pipe is full (fd 1 may be non-blocking). */
export function writeLine(text) {
  const bytes = Buffer.from(text + "\n", "utf8");
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += fs.writeSync(1, bytes, offset, bytes.length - offset);
    } catch (error) {
      if (error.code !== "EAGAIN") throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

export function send(message) {
  writeLine(JSON.stringify({ jsonrpc: "2.0", ...message }));
}

export function notify(method, params) {
  send({ method, params });
}

/** A line a plugin wrote, sent as it is written: if its call never answers, the console has it. */
export function sendOutput(entry) {
  writeLine(OUTPUT_PREFIX + JSON.stringify(entry) + "}");
}

/** A request to the console (ctx.registry.getPlugin, a proxied hook, the http client); the console
 * answers it while it waits for this host's answer to its own request. */
export function callConsole(method, params) {
  const id = `host-${++nextRequest}`;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject, method });
    send({ method, params, id });
  });
}

/** The error the console answered a request of this host with, as the error it names. */
export class ConsoleRequestError extends Error {
  constructor(error) {
    super(error?.message || "the console refused the request");
    this.name = error?.data?.type || "ConsoleError";
  }
}

/** Reads requests and answers from stdin; `handler(request)` answers each request (nested requests
 * of the console included: they arrive while a call of ours awaits the console). */
export function serve(handler) {
  handleRequest = handler;
  let buffered = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line.trim()) receive(line);
    }
  });
  process.stdin.on("end", () => process.exit(0));
}

function receive(line) {
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    return;
  }
  if (message.method === undefined) {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new ConsoleRequestError(message.error));
    else waiter.resolve(message.result);
    return;
  }
  // The line as it came: what a request sent, before plugin code could change it in place (read
  // again only when needed — a hook that returned nothing).
  handleRequest(message, line);
}

/** Whether plugin code awaits an answer of the console: a request the console sends meanwhile is
 * a nested call, answered at once rather than after the call in progress. */
export function awaitingConsole() {
  return pending.size > 0;
}

/** Fails what plugin code still awaits of the console (the console is gone). */
export function failPending(reason) {
  for (const [id, waiter] of pending) {
    pending.delete(id);
    waiter.reject(new Error(`${reason} during ${waiter.method}`));
  }
}
