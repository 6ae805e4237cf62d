/** One implementation's timing of one case. */
export interface Measurement {
  computeMs: number;
  /** Undefined when the conversion was not run (predicted too slow, or not this column's job). */
  convertMs: number | undefined;
  digits: number;
  /** SHA-256 of the decimal text, to check that every implementation computed the same number. */
  sha256?: string;
}
