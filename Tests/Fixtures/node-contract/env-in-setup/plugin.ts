// Reads the environment once, in set-up, and keeps the value.
export class EnvInSetup {
  private debug = "off";

  setup() {
    this.debug = process.env.DAGSTACK_FIXTURE_DEBUG ?? "off";
  }

  work(input: { x: number }) {
    return { x: input.x, debug: this.debug };
  }
}
