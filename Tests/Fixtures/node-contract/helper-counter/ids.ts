// Hands out ids from a counter in this module: one sequence for every instance, never reset.
let last = 0;

export function nextId(): number {
  last += 1;
  return last;
}
