// Each hook misbehaves in one way; the tests check the console says exactly what happened.
type Value = unknown;

export class Faults {
  raiseError(value: Value): never {
    throw new RangeError(`bad value: ${JSON.stringify(value)}`);
  }

  chatty(value: Value) {
    console.log("hello from console.log", { value });
    console.error("careful:", value);
    process.stdout.write("partial ");
    process.stdout.write("line\n");
    return { ok: true };
  }

  undefinedInArray(): Value[] {
    return [1, undefined, 3];
  }

  bigint() {
    return { n: 2n ** 70n };
  }

  cycle() {
    const node: { name: string; self?: unknown } = { name: "loop" };
    node.self = { parent: node };
    return { tree: node };
  }

  map() {
    return { index: new Map([["a", 1]]) };
  }

  date() {
    return { when: new Date(0) };
  }

  callback() {
    return { then: [() => 1] };
  }

  async hang(): Promise<never> {
    await new Promise(() => {});
    throw new Error("never");
  }

  spin(): never {
    for (;;) {}
  }

  exitNow(): never {
    console.log("about to exit");
    process.exit(3);
  }
}
