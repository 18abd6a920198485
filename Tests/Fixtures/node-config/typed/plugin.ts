// The schema declared on the class, as a Python plugin declares config_schema: checked before setup().
import { z } from "zod";
import type { PluginContext } from "@dagstack/plugin-system";

export class Typed {
  static configSchema = z.object({ retries: z.number().int().min(0) });

  private retries = 0;

  setup(ctx: PluginContext): void {
    this.retries = ctx.config.retries as number;
  }

  settings() {
    return { retries: this.retries };
  }
}
