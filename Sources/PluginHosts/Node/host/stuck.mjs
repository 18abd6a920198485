// Where plugin code was when the console stopped a call that hung (its time limit passed, or
// Ctrl-C). JavaScript that spins (`while (true) {}`) never lets this thread run anything else, so a
// worker thread of the host's answers instead: the console creates the `ask` file just before it
// stops the host; the worker, which looks for it ten times a second, pauses the main thread through
// the inspector (an interrupt the spinning code honours), writes the plugin's innermost frames —
// mapped to the .ts lines through the inline source maps — to `file`, and lets it go on. A call
// that waits for something that never comes runs no code: the main thread cannot be paused, no
// answer comes, and the console says only who hung.
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";

/** Starts the worker; the names of the files to give the console in `ready`. */
export function startWhereWorker(hostDir) {
  const file = path.join(os.tmpdir(), `dagstack-where-${randomBytes(12).toString("hex")}.json`);
  const ask = `${file}.ask`;
  try {
    const worker = new Worker(new URL("./stuck-worker.mjs", import.meta.url), { workerData: { file, ask, hostDir } });
    worker.unref(); // never what keeps the host running
    worker.on("error", () => {}); // the console then says only who hung
    return { where_file: file, where_ask: ask };
  } catch {
    return {};
  }
}
