// Parses a data file of its own folder with a schema in setup(): the file does not fit, its config
// does — the failure is the plugin's (its data file), not its config's.
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { PluginContext } from "@dagstack/plugin-system";

const LimitsSchema = z.object({ max_items: z.number().int().positive(), window_s: z.number() });

export class Loader {
  private limits: unknown;

  setup(ctx: PluginContext): void {
    const file = new URL(ctx.config.file as string, import.meta.url);
    this.limits = LimitsSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  }

  settings() {
    return this.limits;
  }
}
