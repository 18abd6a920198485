// An UPPER_CASE "constant" used as a cache: every instance shares what the calls write into it.
const SQUARES: Record<number, number> = { 1: 1, 2: 4 };

export class ConstantMutated {
  work(input: { x: number }) {
    SQUARES[input.x * 10] = (input.x * 10) ** 2;
    return { x: input.x, tenfold: SQUARES[input.x * 10] };
  }
}
