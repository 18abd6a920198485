// Declared sync, but its hook is async: it answers with a promise.
export class SyncPromise {
  async work(input: { x: number }) {
    await new Promise((resolve) => setImmediate(resolve));
    return { x: input.x };
  }
}
