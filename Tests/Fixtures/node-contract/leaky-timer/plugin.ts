// Starts a heartbeat in setup and never stops it: the interval outlives teardown.
export class LeakyTimer {
  private beats = 0;

  setup(): void {
    setInterval(() => { this.beats += 1; }, 60_000);
  }

  pick(input: { items: string[] }) {
    return { item: input.items[0] };
  }
}
