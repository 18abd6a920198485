// The same hook, declared async.
export class SyncPromiseFixed {
  async work(input: { x: number }) {
    await new Promise((resolve) => setImmediate(resolve));
    return { x: input.x };
  }
}
