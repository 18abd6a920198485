import { nextId } from "./ids.js";

export class HelperCounter {
  work(input: { x: number }) {
    return { x: input.x, id: nextId() };
  }
}
