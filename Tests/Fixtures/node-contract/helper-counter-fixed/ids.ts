// Hands out ids from a counter each owner keeps.
export class IdSequence {
  private last = 0;

  next(): number {
    this.last += 1;
    return this.last;
  }
}
