// An async plugin that reads a file with readFileSync: the whole event loop waits for the disk.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const MANIFEST = fileURLToPath(new URL("./dagstack.toml", import.meta.url));

export class AsyncBlocking {
  async work(input: { x: number }) {
    const lines = readFileSync(MANIFEST, "utf8").split("\n").length;
    return { x: input.x, lines };
  }
}
