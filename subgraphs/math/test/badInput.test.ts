/**
 * Every class of bad input gets its contract code and a message that names the argument at
 * fault, the request is logged with that code, and the service stays ready after each one.
 * Numeric arguments arrive every way GraphQL allows: Int, Float and string literals, and
 * variables holding a string or a JSON number.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCaller, routerHeaders, startMath, type RunningMath } from './mathService.js';

let math: RunningMath;
const caller = newCaller('bad_input');

beforeAll(async () => {
  math = await startMath();
});
afterAll(async () => {
  await math?.stop();
});

const POWER = 'query($b: Numeric!, $e: Numeric!) { power(base: $b, exponent: $e) { result } }';

interface Case {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  code: string;
  /** The message starts with the argument's name: "n: …", "base: …". */
  argument: string;
  rule: RegExp;
}

const cases: Case[] = [
  {
    name: 'negative factorial',
    query: '{ factorial(n: -1) { result } }',
    code: 'BAD_USER_INPUT',
    argument: 'n',
    rule: /must be 0 or more/,
  },
  ...['NaN', 'Infinity', '-Infinity', 'nan'].map((text) => ({
    name: `Numeric string ${JSON.stringify(text)}`,
    query: `{ power(base: ${JSON.stringify(text)}, exponent: 2) { result } }`,
    code: 'BAD_USER_INPUT',
    argument: 'base',
    rule: /NaN and Infinity are not numbers/,
  })),
  {
    name: 'hexadecimal Numeric',
    query: '{ power(base: "0x1F", exponent: 2) { result } }',
    code: 'BAD_USER_INPUT',
    argument: 'base',
    rule: /only decimal notation/,
  },
  ...[' 12', '12 ', '\t12', ' 1/3', '1/3 ', '\t-1/3'].map((text) => ({
    name: `Numeric with whitespace ${JSON.stringify(text)}`,
    query: POWER,
    variables: { b: 2, e: text },
    code: 'BAD_USER_INPUT',
    argument: 'exponent',
    rule: /spaces around the number/,
  })),
  {
    name: 'a fraction with spaces inside',
    query: POWER,
    variables: { b: 2, e: '1 / 3' },
    code: 'BAD_USER_INPUT',
    argument: 'exponent',
    rule: /must not have spaces in a fraction p\/q/,
  },
  {
    name: 'empty Numeric',
    query: '{ power(base: "", exponent: 2) { result } }',
    code: 'BAD_USER_INPUT',
    argument: 'base',
    rule: /a number is required/,
  },
  {
    name: 'absurd written exponent in a Float literal',
    query: '{ power(base: 1e999999999, exponent: 2) { result } }',
    code: 'BAD_USER_INPUT',
    argument: 'base',
    rule: /exponent after "e" must be between/,
  },
  {
    name: 'absurd written exponent in a string variable',
    query: POWER,
    variables: { b: '2', e: '1e99999999999999999999' },
    code: 'BAD_USER_INPUT',
    argument: 'exponent',
    rule: /exponent after "e" must be between/,
  },
  {
    name: '0 to a negative power',
    query: '{ power(base: 0, exponent: -1) { result } }',
    code: 'BAD_USER_INPUT',
    argument: 'exponent',
    rule: /must not be negative when the base is 0/,
  },
  {
    name: '0 to a negative power, JSON number variables',
    query: POWER,
    variables: { b: 0, e: -1 },
    code: 'BAD_USER_INPUT',
    argument: 'exponent',
    rule: /must not be negative when the base is 0/,
  },
  {
    name: 'negative base to a fractional power with an even denominator',
    query: '{ power(base: -8, exponent: 0.5) { result } }',
    code: 'BAD_USER_INPUT',
    argument: 'exponent',
    rule: /odd q .*when the base is negative/,
  },
  {
    name: 'a fraction with denominator 0',
    query: '{ power(base: "1/0", exponent: 2) { result } }',
    code: 'BAD_USER_INPUT',
    argument: 'base',
    rule: /denominator of p\/q must not be 0/,
  },
  {
    // Each side within the limit, the whole over it: a Numeric is bounded as one text.
    name: 'a fraction longer than a Numeric may be',
    query: POWER,
    variables: { b: `${'1'.repeat(5_000)}/${'3'.repeat(5_000)}`, e: '2' },
    code: 'BAD_USER_INPUT',
    argument: 'base',
    rule: /must be at most 10000 characters long/,
  },
  ...['1/2/3', '1.5/2', '1/-2', '/2', '1/'].map((text) => ({
    name: `malformed fraction ${JSON.stringify(text)}`,
    query: POWER,
    variables: { b: text, e: '2' },
    code: 'BAD_USER_INPUT',
    argument: 'base',
    rule: /a fraction is written p\/q with whole numbers/,
  })),
  {
    name: 'precision 0',
    query: '{ power(base: 2, exponent: 0.5, precision: 0) { result } }',
    code: 'BAD_USER_INPUT',
    argument: 'precision',
    rule: /1 or more/,
  },
  {
    name: 'a root whose work is out of reach',
    query: '{ power(base: 2, exponent: "1/99999999") { result } }',
    code: 'BAD_USER_INPUT',
    argument: 'exponent',
    rule: /its denominator, 99,999,999, is the degree of the root to take, and a root of that degree works on numbers of about [\d,]+ digits even to 1 significant digit; over 4,000,000 is refused/,
  },
  ...[0, 101].map((limit) => ({
    name: `recentLogs limit ${limit}`,
    query: `{ recentLogs(limit: ${limit}) { id } }`,
    code: 'BAD_USER_INPUT',
    argument: 'limit',
    rule: /must be between 1 and 100/,
  })),
  ...[0, 101].map((limit) => ({
    name: `User.logs limit ${limit}`,
    query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { logs(limit: ${limit}) { id } } } }`,
    variables: { r: [{ __typename: 'User', id: caller.id }] },
    code: 'BAD_USER_INPUT',
    argument: 'limit',
    rule: /must be between 1 and 100/,
  })),
];

describe('bad input', () => {
  it.each(cases)('$name: $code naming $argument, and the service stays ready', async (c) => {
    const { status, body } = await math.call(c.query, c.variables, caller);
    expect(status).toBe(200);
    expect(body.errors).toHaveLength(1);
    const [error] = body.errors!;
    expect(error?.extensions?.['code']).toBe(c.code);
    expect(error?.extensions?.['argument']).toBe(c.argument);
    expect(error?.message.startsWith(`${c.argument}: `)).toBe(true);
    expect(error?.message).toMatch(c.rule);
    expect(await math.ready()).toBe(200);
  });

  it('logs each refused calculation with its code and the input as given', async () => {
    const asker = newCaller('logged');
    await math.call('{ factorial(n: -3) { result } }', {}, asker);
    await math.call(POWER, { b: '0x10', e: '2' }, asker);
    const rows = await math.logRows({ userId: asker.id });
    expect(rows.map((r) => [r.operation, r.status, r.input])).toEqual([
      ['FACTORIAL', 'BAD_USER_INPUT', '{"n":-3}'],
      ['POWER', 'BAD_USER_INPUT', '{"base":"0x10","exponent":"2","precision":50}'],
    ]);
  });

  it('logs the argument a calculation was refused for, even one its answer would not name', async () => {
    const asker = newCaller('refused_precision');
    await math.call('{ power(base: 2, exponent: 2, precision: 0) { result } }', {}, asker);
    await math.call('{ power(base: 2, exponent: 2) { result } }', {}, asker);
    const rows = await math.logRows({ userId: asker.id });
    expect(rows.map((r) => [r.status, r.input])).toEqual([
      ['BAD_USER_INPUT', '{"base":"2","exponent":"2","precision":0}'],
      ['ok', '{"base":"2","exponent":"2"}'],
    ]);
  });

  it('a JSON number a double cannot hold never reaches the resolver: the request is refused', async () => {
    // JSON.parse would read 1e400 as Infinity: the body is refused before it is parsed.
    const response = await fetch(math.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...routerHeaders(caller) },
      body: `{"query": ${JSON.stringify(POWER)}, "variables": {"b": 1e400, "e": 2}}`,
    });
    const body = (await response.json()) as {
      errors: Array<{ message: string; extensions: { code: string } }>;
    };
    expect(response.status).toBe(400);
    expect(body.errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0]?.message).toBe(
      'The number 1e400 given for $b is too large to be read exactly as a JSON number: JSON numbers past about 1.8 × 10^308 are read as Infinity; send it as a string ("1e400")',
    );
    expect(await math.ready()).toBe(200);
  });
});

describe('a Numeric literal of the wrong kind', () => {
  it('is refused at validation with its location and what was found', async () => {
    const { status, body } = await math.call(
      '{ power(base: 2, exponent: false) { result } }',
      {},
      caller,
    );
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: 'Numeric: expected a number or a numeric string, found false',
        locations: [{ line: 1, column: 28 }],
        extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }),
      }),
    ]);
  });
});

describe('unauthenticated calls', () => {
  it.each([
    ['factorial', '{ factorial(n: 5) { result } }', { factorial: null }],
    ['fibonacci', '{ fibonacci(n: 5) { result } }', { fibonacci: null }],
    ['power', '{ power(base: 2, exponent: 3) { result } }', { power: null }],
    ['recentLogs', '{ recentLogs { id } }', null],
  ])('%s without a signed-in caller is UNAUTHENTICATED', async (_field, query, data) => {
    const { status, body } = await math.call(query, {}, null);
    expect(status).toBe(200);
    expect(body.data ?? null).toEqual(data);
    expect(body.errors?.map((e) => e.extensions?.['code'])).toEqual(['UNAUTHENTICATED']);
    expect(await math.ready()).toBe(200);
  });
});

describe('partial answers', () => {
  it('a refused field is null beside its error; its computed sibling is answered and logged so', async () => {
    const asker = newCaller('partial');
    const { body } = await math.call(
      '{ a: factorial(n: 5) { result } b: factorial(n: -1) { result } }',
      {},
      asker,
    );
    expect(body.data).toEqual({ a: { result: '120' }, b: null });
    expect(body.errors?.map((e) => [e.path, e.extensions?.['code']])).toEqual([
      [['b'], 'BAD_USER_INPUT'],
    ]);
    const rows = await math.logRows({ userId: asker.id });
    expect(rows.map((r) => [r.input, r.status, r.resultPreview]).sort()).toEqual([
      ['{"n":-1}', 'BAD_USER_INPUT', ''],
      ['{"n":5}', 'ok', '120'],
    ]);
  });

  // recentLogs is non-null: its error nulls the whole answer, so a calculation beside it would be
  // computed, logged and published for nothing. Its arguments are checked before any field runs.
  it.each([
    ['limit: 0', 'recentLogs(limit: 0) { id }', 'limit'],
    ['limit: 101', 'recentLogs(limit: 101) { id }', 'limit'],
    ['a cursor that is no log id', 'recentLogs(before: "nope") { id }', 'before'],
    [
      'a cursor that is not the caller’s log',
      'recentLogs(before: "00000000-0000-7000-8000-000000000000") { id }',
      'before',
    ],
  ])(
    'recentLogs given %s refuses the whole operation before its calculation runs',
    async (_name, logsField, argument) => {
      const asker = newCaller('doomed');
      const { body } = await math.call(`{ factorial(n: 7) { result } ${logsField} }`, {}, asker);
      expect(body.data ?? null).toBeNull();
      expect(body.errors).toEqual([
        expect.objectContaining({
          path: ['recentLogs'],
          locations: [{ line: 1, column: 30 }],
          extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argument }),
        }),
      ]);
      expect(body.errors?.[0]?.message).toMatch(new RegExp(`^${argument}: `));
      expect(await math.logRows({ userId: asker.id })).toEqual([]);
    },
  );
});

describe('Numeric arrives exactly, however it is written', () => {
  it.each([
    ['Int and Float literals', '{ power(base: 1.5, exponent: 3) { result exact } }', {}],
    ['string literals', '{ power(base: "1.5", exponent: "3") { result exact } }', {}],
    ['string variables', POWER.replace('result', 'result exact'), { b: '1.5', e: '3' }],
    ['JSON number variables', POWER.replace('result', 'result exact'), { b: 1.5, e: 3 }],
  ])('%s: 1.5^3 = 3.375, exact', async (_how, query, variables) => {
    const { body } = await math.call(query, variables, caller);
    expect(body.errors).toBeUndefined();
    expect(body.data?.['power']).toEqual({ result: '3.375', exact: true });
  });

  it('an Int literal past 2^53 is not rounded', async () => {
    const { body } = await math.call(
      '{ power(base: 123456789012345678901234567890, exponent: 3) { result input } }',
      {},
      caller,
    );
    expect(body.data?.['power']).toEqual({
      result: (123456789012345678901234567890n ** 3n).toString(),
      input: '{"base":"123456789012345678901234567890","exponent":"3"}',
    });
  });
});
