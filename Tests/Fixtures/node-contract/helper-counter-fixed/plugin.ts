import { IdSequence } from "./ids.js";

export class HelperCounterFixed {
  private ids = new IdSequence();

  work(input: { x: number }) {
    return { x: input.x, id: this.ids.next() };
  }
}
