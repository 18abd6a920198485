// guides/configuration's TypeScript plugin, verbatim, with a hook that shows the config it built.
import { z } from "zod";
import type { PluginContext } from "@dagstack/plugin-system";

const ConfigSchema = z.object({
  api_url: z.string().url(),
  timeout_ms: z.number().int().positive().default(30_000),
  retries: z.number().int().min(0).default(3),
});
type Config = z.infer<typeof ConfigSchema>;

export class MyPlugin {
  private config!: Config;

  async setup(ctx: PluginContext): Promise<void> {
    this.config = ConfigSchema.parse(ctx.config);
  }

  settings(): Config {
    return this.config;
  }
}
