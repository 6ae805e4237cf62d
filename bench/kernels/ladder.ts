/**
 * How the slow columns (the one-step loops, CPython) stay inside the time budget: each case is
 * approached through the sizes 100× and 10× smaller, and a size whose time the two before it
 * predict to exceed half the cap is skipped and reported as that prediction. Half, because the
 * power law fitted at small sizes underestimates big ones, whose operands no longer fit in the
 * CPU caches: a size forecast just under the cap can take well over it. The conversion is
 * judged on its own, since CPython's is quadratic while its arithmetic is not.
 */
import { caseKey, scaledDown, sizeOf, type KernelCase } from './cases.js';
import type { Measurement } from './measurement.js';

/** A time in a results table: measured, or predicted for a size that was skipped. */
export interface Cell {
  ms: number;
  predicted: boolean;
}

/** One column's figures for one case. */
export interface Timings {
  compute: Cell;
  /** Undefined when this column does not convert. */
  convert: Cell | undefined;
  digits?: number;
  /** SHA-256 of the decimal text, when this column wrote it. */
  sha256?: string;
}

export interface LadderResult extends Timings {
  size: number;
}

interface Point {
  size: number;
  ms: number;
}

/**
 * t = a·s^b through two points, evaluated at `size`. The exponent is at least 1: none of these
 * algorithms does less than linear work in its size, and small sizes, where fixed costs flatten
 * the curve, would otherwise predict too little.
 */
export function powerLaw(p1: Point, p2: Point, size: number): number {
  const exponent = Math.max(1, Math.log(p2.ms / p1.ms) / Math.log(p2.size / p1.size));
  return p2.ms * (size / p2.size) ** exponent;
}

export type Measure = (c: KernelCase, convert: boolean) => Promise<Measurement>;

export class Ladder {
  private readonly done = new Map<string, LadderResult>();

  constructor(
    private readonly measure: Measure,
    private readonly capMs: number,
    /** Whether this column times a conversion at all. */
    private readonly converts: boolean,
  ) {}

  async run(c: KernelCase): Promise<LadderResult> {
    const steps = [scaledDown(c, 100), scaledDown(c, 10), c].filter((s) => sizeOf(s) >= 1);
    const history: LadderResult[] = [];
    for (const step of steps) history.push(await this.step(step, history.slice(-2)));
    return history[history.length - 1] as LadderResult;
  }

  private async step(c: KernelCase, before: LadderResult[]): Promise<LadderResult> {
    const known = this.done.get(caseKey(c));
    if (known) return known;
    const size = sizeOf(c);
    const predict = (pick: (r: LadderResult) => Cell | undefined): number | undefined => {
      const [a, b] = before.map(pick);
      const [first, second] = before;
      if (!a || !b || !first || !second) return undefined;
      return powerLaw({ size: first.size, ms: a.ms }, { size: second.size, ms: b.ms }, size);
    };
    const computeForecast = predict((r) => r.compute);
    const convertForecast = this.converts ? predict((r) => r.convert) : undefined;
    const tooSlow = (forecast: number | undefined) =>
      forecast !== undefined && forecast > this.capMs / 2;

    let result: LadderResult;
    if (tooSlow(computeForecast)) {
      result = {
        size,
        compute: { ms: computeForecast as number, predicted: true },
        convert: this.converts ? { ms: convertForecast ?? Number.NaN, predicted: true } : undefined,
      };
    } else {
      const convert = this.converts && !tooSlow(convertForecast);
      const measured = await this.measure(c, convert);
      result = {
        size,
        compute: { ms: measured.computeMs, predicted: false },
        convert: !this.converts
          ? undefined
          : convert
            ? { ms: measured.convertMs as number, predicted: false }
            : { ms: convertForecast as number, predicted: true },
        digits: measured.digits,
        ...(measured.sha256 ? { sha256: measured.sha256 } : {}),
      };
    }
    this.done.set(caseKey(c), result);
    return result;
  }
}
