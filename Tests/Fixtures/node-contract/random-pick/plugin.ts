// Picks with Math.random: two fresh instances answer differently.
export class RandomPick {
  pick(input: { items: string[] }) {
    return { item: input.items[Math.floor(Math.random() * input.items.length)], token: Math.random() };
  }
}
