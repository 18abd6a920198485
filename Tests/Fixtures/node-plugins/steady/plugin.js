// A plain JavaScript plugin (an ES module without a package.json) that keeps working whatever its
// neighbour in the same Node process does.
export class Steady {
  calls = 0;

  ping(value) {
    this.calls += 1;
    return { pong: value, calls: this.calls };
  }
}
