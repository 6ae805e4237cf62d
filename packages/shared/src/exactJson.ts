/**
 * JSON numbers become doubles when parsed: `-9007199254740993` arrives as -9007199254740992 and
 * `0.10000000000000000001` as 0.1, before any GraphQL code can see what was written. `Numeric`
 * promises never to round its input, and once parsed the loss cannot be told from an exact
 * number, so a request is checked while its text is still at hand: a number a double cannot
 * give back as written is refused, naming it and asking for it as a string. Every transport
 * that reads JSON (HTTP bodies and query strings, graphql-ws messages, SSE) calls this.
 */
import express, { type RequestHandler } from 'express';
import type { GraphQLError } from 'graphql';
import { badScalarInput } from './errors.js';

/**
 * Text that may hold such a number: 16 or more digits in a row (a dot among them allowed), or an
 * exponent of three digits. A number with at most 15 significant digits and a smaller exponent
 * is always given back as written, so most requests need no closer look.
 */
const MAYBE_INEXACT = /\d(?:\.?\d){15}|[eE][+-]?\d{3}/;
/** Strings (skipped whole, escapes included) and numbers, as they appear in valid JSON. */
const STRING_OR_NUMBER = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
/** How much of a refused number the message repeats. */
const SHOWN_CHARACTERS = 40;

/** The number's value in one spelling: sign, digits without leading or trailing zeros, exponent. */
function canonical(number: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(number);
  if (!match) return number;
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  const allDigits = `${whole}${fraction}`;
  const digits = allDigits.replace(/^0+/, '');
  if (digits === '') return '0'; // -0 is 0: both are given to math as "0"
  const significant = digits.replace(/0+$/, '');
  const scale =
    BigInt(exponent) - BigInt(fraction.length) + BigInt(digits.length - significant.length);
  return `${sign}${significant}e${scale}`;
}

/** Whether parsing `number` (a JSON number's text) and printing the double gives its value back. */
function parsesExactly(number: string): boolean {
  const double = Number(number);
  return Number.isFinite(double) && canonical(String(double)) === canonical(number);
}

/**
 * The first number in the JSON text `json` that a double does not hold as written; undefined
 * when there is none, or when `json` is not valid JSON (its parser's own error says so).
 */
export function firstInexactNumber(json: string): string | undefined {
  if (!MAYBE_INEXACT.test(json)) return undefined;
  for (const [token] of json.matchAll(STRING_OR_NUMBER)) {
    if (token.startsWith('"') || parsesExactly(token)) continue;
    // Only now is the text parsed, to leave invalid JSON to its parser: long numbers sent as
    // strings, as asked, are not parsed once more for nothing.
    return isJson(json) ? token : undefined;
  }
  return undefined;
}

/** Whether `text` is a string that parses as JSON. */
export function isJson(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The smallest positive double with full precision; below it doubles keep fewer digits. */
const SMALLEST_NORMAL = 2.2250738585072014e-308;

/**
 * The client's error for such a number (BAD_USER_INPUT), naming what JSON loses: a number past
 * the range of a double becomes ±Infinity, one too close to 0 becomes 0 (or, just above that, a
 * double of few digits), and in range it keeps about 16 significant digits.
 */
export function inexactNumberError(number: string): GraphQLError {
  const shown = number.length > SHOWN_CHARACTERS ? `${number.slice(0, SHOWN_CHARACTERS)}…` : number;
  const read = Number(number);
  const sign = read < 0 ? '-' : '';
  const reason = !Number.isFinite(read)
    ? `is too large to be read exactly as a JSON number: JSON numbers past about ${sign}1.8 × 10^308 are read as ${read}`
    : read === 0
      ? 'is too small to be read exactly as a JSON number: JSON numbers closer to 0 than about 2.5 × 10^-324 are read as 0'
      : Math.abs(read) < SMALLEST_NORMAL
        ? `is too small to be read exactly as a JSON number: JSON numbers closer to 0 than about 2.2 × 10^-308 keep fewer than 16 significant digits (this one would be read as ${read})`
        : 'cannot be read exactly from JSON, which keeps about 16 significant digits';
  return badScalarInput(`The number ${shown} ${reason}; send it as a string ("${shown}")`);
}

/** An HTTP refusal (400) of a request holding a number JSON cannot carry exactly. */
export class InexactJsonNumber extends Error {
  readonly status = 400;
  readonly expose = true;
  /** body-parser's field for why a body was refused. */
  readonly type = 'entity.number.inexact';
  readonly graphqlError: GraphQLError;
  constructor(number: string) {
    const graphqlError = inexactNumberError(number);
    super(graphqlError.message);
    this.graphqlError = graphqlError;
  }
}

/**
 * `express.json` for GraphQL requests: its verify step, which sees the body's text before it is
 * parsed, refuses one holding such a number (InexactJsonNumber, for the error handler).
 */
export function exactJsonBody(limit: string | number): RequestHandler {
  return express.json({
    limit,
    verify(_req, _res, body, encoding) {
      const text = /^utf-?8$/i.test(encoding) ? body.toString('utf8') : decode(body, encoding);
      const number = text === undefined ? undefined : firstInexactNumber(text);
      if (number !== undefined) throw new InexactJsonNumber(number);
    },
  });
}

/** Other Unicode encodings of a JSON body; undefined for one this runtime cannot decode. */
function decode(body: Buffer, encoding: string): string | undefined {
  try {
    return new TextDecoder(encoding).decode(body);
  } catch {
    return undefined;
  }
}

/** The same check for a GET request's `variables` and `extensions`, which are JSON text too. */
export const exactQueryNumbers: RequestHandler = (req, _res, next) => {
  if (req.method !== 'GET') return next();
  const search = new URL(req.url, 'http://query.invalid').searchParams;
  for (const name of ['variables', 'extensions']) {
    const text = search.get(name);
    const number = text === null ? undefined : firstInexactNumber(text);
    if (number !== undefined) return next(new InexactJsonNumber(number));
  }
  next();
};
