// Declares input_hash idempotency, but writes its result file again on every run.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export class InputHashRewrites {
  private folder = "";

  setup() {
    this.folder = mkdtempSync(path.join(tmpdir(), "dagstack-input-hash-"));
  }

  work(input: { tenant_id: string; x: number }) {
    const result = { tenant_id: input.tenant_id, square: input.x * input.x };
    writeFileSync(path.join(this.folder, `${input.tenant_id}-${input.x}.json`), JSON.stringify(result));
    return result;
  }

  teardown() {
    rmSync(this.folder, { recursive: true, force: true });
  }
}
