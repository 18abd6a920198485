// Picks with the rng resource: seeded for the contract checks, the same answer every time.
interface Rng { choice<T>(items: T[]): T; nextFloat(): number }

export class SeededPick {
  pick(ctx: { resources: { get(name: string): unknown } }, input: { items: string[] }) {
    const rng = ctx.resources.get("rng") as Rng;
    return { item: rng.choice(input.items), token: rng.nextFloat() };
  }
}
