// Counts in module-level state: every instance shares it, and it outlives teardown.
const seen = new Map<string, number>();
let calls = 0;
const LIMITS = { max: 10 };

export class ModuleState {
  count(input: { word: string }) {
    calls += 1;
    seen.set(input.word, (seen.get(input.word) ?? 0) + 1);
    return { word: input.word, max: LIMITS.max };
  }
}
