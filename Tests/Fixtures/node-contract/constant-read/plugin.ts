// The same table, only read: a constant (the source scan still warns that it could be mutated).
const SQUARES: Record<number, number> = { 1: 1, 2: 4 };

export class ConstantRead {
  work(input: { x: number }) {
    return { x: input.x, square: SQUARES[input.x] };
  }
}
