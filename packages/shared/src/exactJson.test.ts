import { describe, expect, it } from 'vitest';
import { firstInexactNumber, inexactNumberError, inexactNumberRefusal } from './exactJson.js';

describe('firstInexactNumber', () => {
  it.each([
    '{"a": 1.0, "b": 1E+2, "c": -0, "d": 0.1, "e": 5e-324, "f": 9007199254740991}',
    '{"a": 1.000000000000000000000, "b": 100000000000000000000, "c": 0.0000000000000000000001}',
    '{"digits in a string": "9007199254740993", "escaped \\" quote": "0.10000000000000000001"}',
    '{"not JSON": 9007199254740993',
  ])('finds none in %s', (json) => {
    expect(firstInexactNumber(json)).toBeUndefined();
  });

  it.each([
    ['{"e": -9007199254740993}', '-9007199254740993'],
    ['{"list": [1, 2, 0.30000000000000001]}', '0.30000000000000001'],
    ['{"big": 100000000000000000001}', '100000000000000000001'],
    ['{"far": 1e400}', '1e400'],
    ['{"tiny": 1E-400}', '1E-400'],
  ])('finds the first in %s', (json, number) => {
    expect(firstInexactNumber(json)).toBe(number);
  });
});

describe('inexactNumberError', () => {
  const send = (number: string) => `; send it as a string ("${number}")`;
  it.each([
    [
      '9007199254740993',
      'cannot be read exactly from JSON, which keeps about 16 significant digits',
    ],
    [
      '0.10000000000000000001',
      'cannot be read exactly from JSON, which keeps about 16 significant digits',
    ],
    [
      '1e400',
      'is too large to be read exactly as a JSON number: JSON numbers past about 1.8 × 10^308 are read as Infinity',
    ],
    [
      '-1E+400',
      'is too large to be read exactly as a JSON number: JSON numbers past about -1.8 × 10^308 are read as -Infinity',
    ],
    [
      '2e-1000',
      'is too small to be read exactly as a JSON number: JSON numbers closer to 0 than about 2.5 × 10^-324 are read as 0',
    ],
    [
      '-1e-400',
      'is too small to be read exactly as a JSON number: JSON numbers closer to 0 than about 2.5 × 10^-324 are read as 0',
    ],
    [
      '1.2345678901234567e-310',
      'is too small to be read exactly as a JSON number: JSON numbers closer to 0 than about 2.2 × 10^-308 keep fewer than 16 significant digits (this one would be read as 1.23456789012346e-310)',
    ],
  ])('names what JSON loses of %s', (number, reason) => {
    const error = inexactNumberError(number, { name: 'b', type: 'Numeric' });
    expect(error.message).toBe(`The number ${number} given for $b ${reason}${send(number)}`);
    expect(error.extensions['code']).toBe('BAD_USER_INPUT');
    // Of a variable of no known type, the string is advice only if its argument takes one.
    expect(inexactNumberError(number, { name: 'b', type: undefined }).message).toBe(
      `The number ${number} ${reason}${send(number)} if $b takes strings (Numeric does)`,
    );
  });
});

describe('inexactNumberRefusal: advice that fits the variable the number is for', () => {
  const INT =
    'The number 1e400 cannot be $l, an Int: send a whole number from -2147483648 to 2147483647';
  const STRING =
    'The number 1e400 is too large to be read exactly as a JSON number: JSON numbers past about 1.8 × 10^308 are read as Infinity; send it as a string ("1e400")';
  /** The same for a variable declared with a type that takes strings: named up front. */
  const stringFor = (variable: string) =>
    STRING.replace('The number 1e400', `The number 1e400 given for ${variable}`);
  const request = (query: string, variables: string, rest = '') =>
    `{"query":${JSON.stringify(query)},"variables":${variables}${rest}}`;
  const LOGS = 'query($l: Int){ recentLogs(limit: $l) { id } }';
  const POWER =
    'query($b: Numeric!, $e: Int) { power(base: $b, exponent: 2, precision: $e) { result } }';

  it('an Int: its range, not a string it cannot be', () => {
    expect(inexactNumberRefusal(request(LOGS, '{"l":1e400}'))?.message).toBe(INT);
    expect(inexactNumberRefusal(request(LOGS, '{"l":-9007199254740993}'))?.message).toBe(
      'The number -9007199254740993 cannot be $l, an Int: send a whole number from -2147483648 to 2147483647',
    );
    expect(
      inexactNumberRefusal(request('query($l: [Int!]!) { __typename }', '{"l":[1, 2, 1e400]}'))
        ?.message,
    ).toBe(INT);
  });

  it('a Numeric (which takes strings): as a string', () => {
    expect(inexactNumberRefusal(request(POWER, '{"e": 3, "b":1e400}'))?.message).toBe(
      stringFor('$b'),
    );
    expect(inexactNumberRefusal(request(POWER, '{"b": "1e400", "e":1e400}'))?.message).toBe(
      INT.replace('$l', '$e'),
    );
  });

  it('a Boolean: true or false', () => {
    expect(
      inexactNumberRefusal(request('query($x: Boolean) { __typename }', '{"x":1e400}'))?.message,
    ).toBe('The number 1e400 cannot be $x, a Boolean: send true or false');
  });

  it('the operation named, in a batch, in a graphql-ws message, in a GET query string', () => {
    const two = `${LOGS.replace('query', 'query Logs')} query Power($l: Numeric!) { power(base: $l, exponent: 2) { result } }`;
    expect(
      inexactNumberRefusal(request(two, '{"l":1e400}', ',"operationName":"Logs"'))?.message,
    ).toBe(INT);
    expect(
      inexactNumberRefusal(request(two, '{"l":1e400}', ',"operationName":"Power"'))?.message,
    ).toBe(stringFor('$l'));
    expect(
      inexactNumberRefusal(`[${request(POWER, '{"b":1}')}, ${request(LOGS, '{"l":1e400}')}]`)
        ?.message,
    ).toBe(INT);
    expect(
      inexactNumberRefusal(
        `{"id":"1","type":"subscribe","payload":${request(LOGS, '{"l":1e400}')}}`,
      )?.message,
    ).toBe(INT);
    expect(
      inexactNumberRefusal('{"l": 1e400}', { query: LOGS, operationName: null })?.message,
    ).toBe(INT);
  });

  it('of no known type: a string only if its argument takes one', () => {
    const unknown = `${STRING} if $l takes strings (Numeric does)`;
    // Undeclared, an operation that does not parse, two operations and none named.
    expect(inexactNumberRefusal(request('{ __typename }', '{"l":1e400}'))?.message).toBe(unknown);
    expect(inexactNumberRefusal(request('query($l: Int', '{"l":1e400}'))?.message).toBe(unknown);
    expect(
      inexactNumberRefusal(request(`${LOGS} query B { __typename }`, '{"l":1e400}'))?.message,
    ).toBe(unknown);
    expect(
      inexactNumberRefusal('{"query":"{ __typename }","extensions":{"x":1e400}}')?.message,
    ).toBe(`${STRING} if its argument takes strings (Numeric does)`);
  });

  it('names an undeclared key only when it is a GraphQL name, and cuts a long one', () => {
    const hostile = `x\n\u202E${'y'.repeat(5000)}`;
    const message = inexactNumberRefusal(
      request('{ __typename }', JSON.stringify({ [hostile]: 0 }).replace('0}', '1e400}')),
    )?.message;
    expect(message).toBe(`${STRING} if its argument takes strings (Numeric does)`);
    const long = `v${'w'.repeat(100)}`;
    expect(inexactNumberRefusal(request('{ __typename }', `{"${long}":1e400}`))?.message).toContain(
      `if $${long.slice(0, 40)}… takes strings`,
    );
  });

  it('none when every number is exact', () => {
    expect(inexactNumberRefusal(request(LOGS, '{"l":5}'))).toBeUndefined();
  });
});
