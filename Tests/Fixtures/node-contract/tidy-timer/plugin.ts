// The same heartbeat, stopped in teardown.
export class TidyTimer {
  private beats = 0;
  private timer?: ReturnType<typeof setInterval>;

  setup(): void {
    this.timer = setInterval(() => { this.beats += 1; }, 60_000);
  }

  pick(input: { items: string[] }) {
    return { item: input.items[0] };
  }

  teardown(): void {
    clearInterval(this.timer);
  }
}
