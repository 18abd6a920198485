// The same counter on the instance.
const LIMIT = 10;

export class InstanceState {
  private seen = new Map<string, number>();
  private calls = 0;

  count(input: { word: string }) {
    this.calls += 1;
    this.seen.set(input.word, (this.seen.get(input.word) ?? 0) + 1);
    return { word: input.word, max: LIMIT };
  }
}
