// Reads the environment on every call: the answer depends on the process it runs in.
export class EnvInHook {
  work(input: { x: number }) {
    return { x: input.x, debug: process.env.DAGSTACK_FIXTURE_DEBUG ?? "off" };
  }
}
