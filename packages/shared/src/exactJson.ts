/**
 * JSON numbers become doubles when parsed: `-9007199254740993` arrives as -9007199254740992 and
 * `0.10000000000000000001` as 0.1, before any GraphQL code can see what was written. `Numeric`
 * promises never to round its input, and once parsed the loss cannot be told from an exact
 * number, so a request is checked while its text is still at hand: a number a double cannot
 * give back as written is refused, naming it and saying what to send instead (for an Int its
 * range; for an argument that takes strings, as Numeric does, the number as one). Every transport
 * that reads JSON (HTTP bodies and query strings, graphql-ws messages, SSE) calls this.
 */
import express, { type RequestHandler } from 'express';
import { Kind, parse, type GraphQLError, type TypeNode } from 'graphql';
import { badScalarInput } from './errors.js';
import { isRecord } from './records.js';

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
  return firstInexact(json)?.number;
}

/** The first such number and where in the text it starts. */
function firstInexact(json: string): { number: string; offset: number } | undefined {
  if (!MAYBE_INEXACT.test(json)) return undefined;
  for (const { 0: token, index } of json.matchAll(STRING_OR_NUMBER)) {
    if (token.startsWith('"') || parsesExactly(token)) continue;
    // Only now is the text parsed, to leave invalid JSON to its parser: long numbers sent as
    // strings, as asked, are not parsed once more for nothing.
    return isJson(json) ? { number: token, offset: index } : undefined;
  }
  return undefined;
}

/** The tokens of valid JSON: strings, punctuation, numbers and literals. */
const JSON_TOKEN = /"(?:[^"\\]|\\.)*"|[{}[\],:]|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/g;

/** The keys and indices leading to the value at `offset` in the valid JSON text `json`. */
function pathAt(json: string, offset: number): Array<string | number> {
  const open: Array<{ key: string | number; array: boolean }> = [];
  let keyNext = false;
  for (const { 0: token, index } of json.matchAll(JSON_TOKEN)) {
    if (index >= offset) break;
    const innermost = open.at(-1);
    if (token === '{') {
      open.push({ key: '', array: false });
      keyNext = true;
    } else if (token === '[') open.push({ key: 0, array: true });
    else if (token === '}' || token === ']') open.pop();
    else if (token === ',') {
      if (innermost?.array) innermost.key = (innermost.key as number) + 1;
      else keyNext = true;
    } else if (keyNext && innermost && !innermost.array) {
      innermost.key = JSON.parse(token) as string;
      keyNext = false;
    }
  }
  return open.map(({ key }) => key);
}

/** A variable a refused number is (part of) the value of, and its type's name where declared. */
export interface InexactVariable {
  name: string;
  /** The named type of its declaration (`Int` for `[Int!]!`); undefined when undeclared. */
  type: string | undefined;
}

/** Tokens the refusal's look at the operation reads at most: the router's own limit. */
const MAX_OPERATION_TOKENS = 2_000;

/** The named type `operation` (or the only operation of `query`) declares `$name` with. */
function declaredType(query: unknown, operationName: unknown, name: string): string | undefined {
  if (typeof query !== 'string') return undefined;
  let document;
  try {
    document = parse(query, { noLocation: true, maxTokens: MAX_OPERATION_TOKENS });
  } catch {
    return undefined;
  }
  const operations = document.definitions.filter(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION,
  );
  const operation =
    typeof operationName === 'string' && operationName !== ''
      ? operations.find((candidate) => candidate.name?.value === operationName)
      : operations.length === 1
        ? operations[0]
        : undefined;
  let type: TypeNode | undefined = operation?.variableDefinitions?.find(
    (definition) => definition.variable.name.value === name,
  )?.type;
  while (type && type.kind !== Kind.NAMED_TYPE) type = type.type;
  return type?.name.value;
}

/**
 * The refusal of the JSON text `json` for its first inexact number, or undefined when it holds
 * none. `json` is a request (or a batch of them, or a graphql-ws message carrying one as its
 * payload) unless `operation` is given: then it is the variables of that operation (a GET
 * request's `variables`). The advice fits the type the operation declares the number's variable
 * with.
 */
export function inexactNumberRefusal(
  json: string,
  operation?: { query: unknown; operationName: unknown },
): GraphQLError | undefined {
  const found = firstInexact(json);
  if (!found) return undefined;
  const path = pathAt(json, found.offset);
  let variable: InexactVariable | undefined;
  if (operation) {
    const [name] = path;
    if (typeof name === 'string')
      variable = { name, type: declaredType(operation.query, operation.operationName, name) };
  } else {
    let node: unknown = JSON.parse(json);
    for (const [at, key] of path.entries()) {
      const name = path[at + 1];
      if (key === 'variables' && isRecord(node) && typeof name === 'string') {
        variable = { name, type: declaredType(node['query'], node['operationName'], name) };
        break;
      }
      node =
        isRecord(node) || Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return inexactNumberError(found.number, variable);
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

/** Int's range (32-bit signed), as GraphQL defines it. */
const INT_RANGE = 'a whole number from -2147483648 to 2147483647';

/** Named types whose values may be sent as strings: Numeric reads a string exactly. */
const TAKES_STRINGS = new Set(['Numeric', 'String', 'ID']);

/** A GraphQL name: the only kind of client-chosen variable name a refusal repeats. */
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** The client's text as a refusal shows it: at most SHOWN_CHARACTERS, then "…". */
const cut = (text: string) =>
  text.length > SHOWN_CHARACTERS ? `${text.slice(0, SHOWN_CHARACTERS)}…` : text;

/**
 * The client's error for such a number (BAD_USER_INPUT). Its advice fits the type of the variable
 * it is given for, when known: a number an Int or a Boolean cannot be is named with what they
 * take; for a type that takes strings (Numeric), it is to send the number as one, naming what
 * JSON loses: a number past the range of a double becomes ±Infinity, one too close to 0 becomes
 * 0 (or, just above that, a double of few digits), and in range it keeps about 16 significant
 * digits. For a variable of no known type, or a number outside the variables, that advice holds
 * only if its argument takes strings, and says so.
 */
export function inexactNumberError(number: string, variable?: InexactVariable): GraphQLError {
  const shown = cut(number);
  // A JSON key is the client's text: named only when it is a GraphQL name (a declared
  // variable's always is), cut as the number is.
  const name = variable && GRAPHQL_NAME.test(variable.name) ? `$${cut(variable.name)}` : undefined;
  if (variable?.type === 'Int')
    return badScalarInput(`The number ${shown} cannot be ${name}, an Int: send ${INT_RANGE}`);
  if (variable?.type === 'Boolean')
    return badScalarInput(`The number ${shown} cannot be ${name}, a Boolean: send true or false`);
  const read = Number(number);
  const sign = read < 0 ? '-' : '';
  const reason = !Number.isFinite(read)
    ? `is too large to be read exactly as a JSON number: JSON numbers past about ${sign}1.8 × 10^308 are read as ${read}`
    : read === 0
      ? 'is too small to be read exactly as a JSON number: JSON numbers closer to 0 than about 2.5 × 10^-324 are read as 0'
      : Math.abs(read) < SMALLEST_NORMAL
        ? `is too small to be read exactly as a JSON number: JSON numbers closer to 0 than about 2.2 × 10^-308 keep fewer than 16 significant digits (this one would be read as ${read})`
        : 'cannot be read exactly from JSON, which keeps about 16 significant digits';
  const send = `send it as a string ("${shown}")`;
  const takesStrings = variable?.type !== undefined && TAKES_STRINGS.has(variable.type);
  const advice = takesStrings
    ? send
    : `${send} if ${name ?? 'its argument'} takes strings (Numeric does)`;
  // The variable is named up front where the advice does not name it.
  const given = takesStrings && name ? ` given for ${name}` : '';
  return badScalarInput(`The number ${shown}${given} ${reason}; ${advice}`);
}

/** An HTTP refusal (400) of a request holding a number JSON cannot carry exactly. */
export class InexactJsonNumber extends Error {
  readonly status = 400;
  readonly expose = true;
  /** body-parser's field for why a body was refused. */
  readonly type = 'entity.number.inexact';
  readonly graphqlError: GraphQLError;
  constructor(graphqlError: GraphQLError) {
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
      // The text the parser will read: body-parser decodes with iconv-lite, which drops a BOM.
      const text = /^utf-?8$/i.test(encoding)
        ? withoutBom(body.toString('utf8'))
        : decode(body, encoding);
      // A charset body-parser reads and this check cannot (utf-7, utf-32) would carry its
      // numbers past the check, rounded: refused as body-parser refuses one it cannot read.
      if (text === undefined) throw unsupportedCharset(encoding);
      const refusal = inexactNumberRefusal(text);
      if (refusal !== undefined) throw new InexactJsonNumber(refusal);
    },
  });
}

const withoutBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/** body-parser's own refusal of a charset (415, `charset.unsupported`), for the error handlers. */
function unsupportedCharset(encoding: string): Error {
  return Object.assign(new Error(`unsupported charset "${encoding.toUpperCase()}"`), {
    status: 415,
    expose: true,
    type: 'charset.unsupported',
    charset: encoding.toLowerCase(),
  });
}

/** Other Unicode encodings of a JSON body (a BOM dropped); undefined for one this runtime cannot decode. */
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
  const operation = { query: search.get('query'), operationName: search.get('operationName') };
  for (const name of ['variables', 'extensions']) {
    const text = search.get(name);
    const refusal =
      text === null
        ? undefined
        : inexactNumberRefusal(text, name === 'variables' ? operation : undefined);
    if (refusal !== undefined) return next(new InexactJsonNumber(refusal));
  }
  next();
};
