// The same read, awaited: other calls run while the disk answers.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const MANIFEST = fileURLToPath(new URL("./dagstack.toml", import.meta.url));

export class AsyncBlockingFixed {
  async work(input: { x: number }) {
    const lines = (await readFile(MANIFEST, "utf8")).split("\n").length;
    return { x: input.x, lines };
  }
}
