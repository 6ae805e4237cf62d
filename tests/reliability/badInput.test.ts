/**
 * Malformed requests through the router, as one table: each row says the HTTP status and the
 * `extensions.code` it gets (contract codes, or Apollo's own where the request never reaches a
 * resolver). No service logs anything at error level, since every row is the client's mistake,
 * not a fault of ours, and the router and both subgraphs are still ready after the whole table.
 *
 * It runs on SQLite and on PostgreSQL: login usernames and calculation inputs reach the
 * database, and the two refuse different things.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, gql } from '../support/graphql.js';
import { startTestSystem, testDatabaseUrl, type TestSystem } from '../support/system.js';
import { serviceLogs, type ServiceLogs } from './support/serviceLogs.js';

interface MalformedRequest {
  method?: string;
  /** Appended to the URL: a GET's query string. */
  search?: string;
  headers?: Record<string, string>;
  /** A function for the large ones, so the table does not hold them all at once. */
  body?: string | Uint8Array | (() => string | Uint8Array);
  /** Send the table user's token (default); false sends none. */
  signedIn?: boolean;
}

interface Row {
  name: string;
  request: MalformedRequest;
  status: number;
  code: string;
  /** The error's message, where the row checks it: ours, never a library's words. */
  message?: string;
}

const TEN_MB = 10 * 1024 * 1024;
const JSON_TYPE = { 'content-type': 'application/json' };

const json = (query: string, variables?: Record<string, unknown>): MalformedRequest => ({
  headers: JSON_TYPE,
  body: JSON.stringify({ query, variables }),
});
const rawJson = (body: MalformedRequest['body']): MalformedRequest => ({
  headers: JSON_TYPE,
  body,
});
const typed = (contentType: string, body: string): MalformedRequest => ({
  headers: { 'content-type': contentType },
  body,
});

const POWER = 'query($b: Numeric!, $e: Numeric!) { power(base: $b, exponent: $e) { result } }';
const FACTORIAL = 'query($n: Int!) { factorial(n: $n) { result } }';
const REGISTER =
  'mutation($u: String!, $p: String!) { register(username: $u, password: $p) { token } }';
const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }';
const TYPENAME = '{"query":"{ __typename }"}';

/** `{ me { logs { user { logs { … id } } } } }`, `depth` fields deep. */
function nested(depth: number): string {
  const fields = ['me', ...Array.from({ length: depth - 2 }, (_, i) => (i % 2 ? 'user' : 'logs'))];
  return `{ ${fields.join(' { ')} { id }${' }'.repeat(fields.length - 1)} }`;
}
const aliased = (count: number, field: string) =>
  `{ ${Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
/** Registration usernames that are valid, so only the password is at fault. */
let fresh = 0;
const freshName = () => `pw_case_${fresh++}`;

const wrongTypes: Row[] = [
  ...[
    ['a string', '"5"'],
    ['a float', '5.5'],
    ['a boolean', 'true'],
    ['null', 'null'],
    ['a list', '[5]'],
    ['an object', '{ v: 5 }'],
    ['an enum value', 'FIVE'],
  ].map(([what, literal]) => ({
    name: `factorial(n:) given ${what} literal`,
    request: json(`{ factorial(n: ${literal}) { result } }`),
    status: 400,
    code: 'BAD_USER_INPUT',
  })),
  {
    name: 'factorial(n: 99999999999): not a 32-bit Int, named',
    request: json('{ factorial(n: 99999999999) { result } }'),
    status: 400,
    code: 'BAD_USER_INPUT',
    message: 'factorial(n:): Int cannot represent non 32-bit signed integer value: 99999999999',
  },
  {
    name: 'factorial(n:) given a float literal: the message names the field and argument',
    request: json('{ factorial(n: 1.5) { result } }'),
    status: 400,
    code: 'BAD_USER_INPUT',
    message: 'factorial(n:): Int cannot represent non-integer value: 1.5',
  },
  {
    name: 'factorial without its argument',
    request: json('{ factorial { result } }'),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  ...[
    ['a boolean', 'true'],
    ['null', 'null'],
    ['a list', '[1]'],
    ['an object', '{ a: 1 }'],
  ].map(([what, literal]) => ({
    name: `power(base:) given ${what} literal`,
    request: json(`{ power(base: ${literal}, exponent: 2) { result } }`),
    status: 400,
    code: 'BAD_USER_INPUT',
  })),
  ...(
    [
      ['a numeric string', '5'],
      ['a float', 5.5],
      ['null', null],
      ['an object', {}],
      ['a list', [1]],
      ['a boolean', true],
    ] as const
  ).map(([what, n]) => ({
    name: `Int! variable given ${what}`,
    request: json(FACTORIAL, { n }),
    status: 400,
    code: 'BAD_USER_INPUT',
  })),
  // A nullable variable with a default may stand where a non-null value is needed (the default
  // fills in when it is not sent), but an explicit null reaches the argument as null.
  {
    name: 'a nullable variable with a default, sent as null, for factorial(n:)',
    request: json('query($n: Int = 5) { factorial(n: $n) { result } }', { n: null }),
    status: 400,
    code: 'BAD_USER_INPUT',
    message:
      'factorial(n:): Variable "$n" got invalid value null; Expected non-nullable type "Int!" not to be null.',
  },
  {
    name: 'a nullable variable with a default, sent as null, for two fields and power(base:)',
    request: json(
      'query($n: Numeric = 2) { a: power(base: $n, exponent: 2) { result } b: fibonacci(n: 3) { result } }',
      { n: null },
    ),
    status: 400,
    code: 'BAD_USER_INPUT',
    message:
      'power(base:): Variable "$n" got invalid value null; Expected non-nullable type "Numeric!" not to be null.',
  },
  {
    name: 'a nullable variable with a default, sent as null, for register(username:)',
    request: json(
      'mutation($u: String = "someone") { register(username: $u, password: "long enough") { token } }',
      { u: null },
    ),
    status: 400,
    code: 'BAD_USER_INPUT',
    message:
      'register(username:): Variable "$u" got invalid value null; Expected non-nullable type "String!" not to be null.',
  },
  {
    name: 'a nullable variable with a default, sent as null, for @include(if:)',
    request: json('query($i: Boolean = true) { fibonacci(n: 3) @include(if: $i) { result } }', {
      i: null,
    }),
    status: 400,
    code: 'BAD_USER_INPUT',
    message:
      '@include(if:): Variable "$i" got invalid value null; Expected non-nullable type "Boolean!" not to be null.',
  },
  {
    name: 'Int! variable missing',
    request: json(FACTORIAL, {}),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  ...(
    [
      ['an object', {}],
      ['a list', [2]],
      ['a boolean', true],
      ['null', null],
    ] as const
  ).map(([what, b]) => ({
    name: `Numeric! variable given ${what}`,
    request: json(POWER, { b, e: 2 }),
    status: 400,
    code: 'BAD_USER_INPUT',
  })),
  ...(
    [
      ['a boolean', 'true'],
      ['an enum value', 'TEN'],
      ['a list', '[2]'],
      ['an object', '{value: 2}'],
    ] as const
  ).map(([what, literal]) => ({
    name: `Numeric literal given ${what}`,
    request: json(`{ power(base: ${literal}, exponent: 2) { result } }`),
    status: 400,
    code: 'BAD_USER_INPUT',
    message: `power(base:): Numeric: expected a number or a numeric string, found ${literal}`,
  })),
  {
    name: 'Int! variable given a float: the message names the field and argument',
    request: json(FACTORIAL, { n: 1.5 }),
    status: 400,
    code: 'BAD_USER_INPUT',
    message:
      'factorial(n:): Variable "$n" got invalid value 1.5; Int cannot represent non-integer value: 1.5',
  },
  {
    name: 'Numeric! variable given a boolean: the message names the field and argument',
    request: json(POWER, { b: true, e: 2 }),
    status: 400,
    code: 'BAD_USER_INPUT',
    message:
      'power(base:): Variable "$b" got invalid value true; Numeric: expected a number or a numeric string',
  },
  {
    name: 'Int! variable missing: the message names the field and argument',
    request: json(FACTORIAL, {}),
    status: 400,
    code: 'BAD_USER_INPUT',
    message: 'factorial(n:): Variable "$n" of required type "Int!" was not provided.',
  },
  {
    name: 'a variable default that does not fit its type',
    request: json('query($n: Int! = 1.5) { factorial(n: $n) { result } }'),
    status: 400,
    code: 'BAD_USER_INPUT',
    message: '$n (default value): Int cannot represent non-integer value: 1.5',
  },
  {
    name: 'Numeric! variable given a JSON 1e999 (Infinity once parsed)',
    request: rawJson(`{"query":${JSON.stringify(POWER)},"variables":{"b":1e999,"e":2}}`),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'Int! variable given a JSON -1e999',
    request: rawJson(`{"query":${JSON.stringify(FACTORIAL)},"variables":{"n":-1e999}}`),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'String variable used where Int! is expected',
    request: json('query($n: String!) { factorial(n: $n) { result } }', { n: '5' }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'register(username:) given an Int literal',
    request: json('mutation { register(username: 5, password: "long-password") { token } }'),
    status: 400,
    code: 'BAD_USER_INPUT',
    message: 'register(username:): String cannot represent a non string value: 5',
  },
  {
    name: 'recentLogs(limit:) given a string literal',
    request: json('{ recentLogs(limit: "5") { id } }'),
    status: 400,
    code: 'BAD_USER_INPUT',
    message: 'recentLogs(limit:): Int cannot represent non-integer value: "5"',
  },
];

const pastTheLimits: Row[] = [
  ...[
    ['factorial(n: 2147483647)', '{ factorial(n: 2147483647) { result } }'],
    ['fibonacci(n: 2147483647)', '{ fibonacci(n: 2147483647) { result } }'],
    ['fibonacci(n: -2147483648)', '{ fibonacci(n: -2147483648) { result } }'],
    ['10^1000000 (one digit over)', '{ power(base: 10, exponent: 1000000) { result } }'],
    ['2^"1e18"', '{ power(base: 2, exponent: "1e18") { result } }'],
    ['factorial(n: 1000000)', '{ factorial(n: 1000000) { digits } }'],
    ['fibonacci(n: 5000000)', '{ fibonacci(n: 5000000) { digits } }'],
    [
      'ten aliases of 200000! (each under the limit, together over it)',
      aliased(10, 'factorial(n: 200000) { digits }'),
    ],
  ].map(([name, query]) => ({
    name: `${name}: too large, refused before computing`,
    request: json(query as string),
    status: 200,
    code: 'RESULT_TOO_LARGE',
  })),
  ...[
    ['factorial(n: 2147483648)', '{ factorial(n: 2147483648) { result } }'],
    ['factorial(n: 99999999999999999999)', '{ factorial(n: 99999999999999999999) { result } }'],
    ['fibonacci(n: -2147483649)', '{ fibonacci(n: -2147483649) { result } }'],
  ].map(([name, query]) => ({
    name: `${name}: not a 32-bit Int`,
    request: json(query as string),
    status: 400,
    code: 'BAD_USER_INPUT',
  })),
  ...[
    ['factorial(n: -2147483648)', '{ factorial(n: -2147483648) { result } }'],
    ['1e999999999 as a base', '{ power(base: "1e999999999", exponent: 2) { result } }'],
    ['1e-999999999 as a base', '{ power(base: "1e-999999999", exponent: 2) { result } }'],
    ['0^-1', '{ power(base: 0, exponent: -1) { result } }'],
    ['(-8)^0.5', '{ power(base: -8, exponent: 0.5) { result } }'],
    ['recentLogs(limit: 0)', '{ recentLogs(limit: 0) { id } }'],
    ['recentLogs(limit: 101)', '{ recentLogs(limit: 101) { id } }'],
    ['User.logs(limit: 150)', '{ me { logs(limit: 150) { id } } }'],
  ].map(([name, query]) => ({
    name: `${name}: out of the domain`,
    request: json(query as string),
    status: 200,
    code: 'BAD_USER_INPUT',
  })),
  // recentLogs is refused before the calculation beside it runs (math's logReadsFirst.ts).
  {
    name: 'a factorial beside recentLogs(limit: 0): the operation is refused whole',
    request: json('{ factorial(n: 7) { result } recentLogs(limit: 0) { id } }'),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: 'limit: must be between 1 and 100',
  },
  {
    name: 'a factorial beside recentLogs(before:) of no log of the caller’s',
    request: json(
      '{ factorial(n: 7) { result } recentLogs(before: "00000000-0000-7000-8000-000000000000") { id } }',
    ),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: 'before: must be the id of one of your logs',
  },
  {
    // Demand control counts the list's size before math could refuse the limit.
    name: 'recentLogs(limit: 2147483647): over the cost limit',
    request: json('{ recentLogs(limit: 2147483647) { id } }'),
    status: 400,
    code: 'COST_LIMIT_EXCEEDED',
  },
  {
    name: 'a 60,000-digit base: over the 10,000 characters a Numeric may have',
    request: json(POWER, { b: '9'.repeat(60_000), e: 100 }),
    status: 200,
    code: 'BAD_USER_INPUT',
  },
];

const numericStrings: Row[] = [
  'NaN',
  'nan',
  'Infinity',
  '-Infinity',
  'inf',
  '0x1F',
  '0b101',
  '0o17',
  '1_000',
  '1,5',
  ' 12',
  '12 ',
  '\t12',
  '12\n',
  '12\u00a0',
  '１２',
  '٣',
  '',
  '-',
  '+',
  '.',
  '1e',
  'e5',
  '1.2.3',
  '--1',
  '12abc',
  '1\u0000',
].map((text) => ({
  name: `Numeric string ${JSON.stringify(text)}`,
  request: json(POWER, { b: text, e: 2 }),
  status: 200,
  code: 'BAD_USER_INPUT',
}));
numericStrings.push(
  ...['"NaN"', '"Infinity"', '"0xFF"', '" 1"'].map((literal) => ({
    name: `Numeric string literal ${literal}`,
    request: json(`{ power(base: 2, exponent: ${literal}) { result } }`),
    status: 200,
    code: 'BAD_USER_INPUT',
  })),
);

const tooLarge = { status: 413, code: 'BAD_REQUEST' };
const hugeBodies: Row[] = [
  {
    name: '10 MB of JSON variables',
    request: rawJson(() =>
      JSON.stringify({ query: '{ __typename }', variables: { x: 'a'.repeat(TEN_MB) } }),
    ),
    ...tooLarge,
  },
  {
    name: '10 MB that is not JSON',
    request: rawJson(() => 'x'.repeat(TEN_MB)),
    ...tooLarge,
  },
  {
    name: '10 MB query of whitespace',
    request: rawJson(() => `{"query":"{ __typename }${' '.repeat(TEN_MB)}"}`),
    ...tooLarge,
  },
  {
    name: '10 MB gzip-compressed into a few kB',
    request: {
      headers: { ...JSON_TYPE, 'content-encoding': 'gzip' },
      body: () =>
        gzipSync(JSON.stringify({ query: '{ __typename }', variables: { x: 'a'.repeat(TEN_MB) } })),
    },
    ...tooLarge,
  },
  {
    name: '10 MB as text/plain (refused as a cross-site request first)',
    request: typed('text/plain', 'x'.repeat(TEN_MB)),
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: '10 MB as application/octet-stream (never read)',
    request: {
      headers: { 'content-type': 'application/octet-stream' },
      body: () => 'x'.repeat(TEN_MB),
    },
    status: 400,
    code: 'BAD_REQUEST',
  },
];

const invalidJson: Row[] = [
  ...[
    ['truncated', '{"query": '],
    ['not JSON at all', 'not json'],
    ['a bare string', '"{ __typename }"'],
    ['null', 'null'],
    ['a number', '123'],
    ['trailing garbage', `${TYPENAME}garbage`],
    ['single quotes', "{'query': '{ __typename }'}"],
    ['a trailing comma', '{"query":"{ __typename }",}'],
  ].map(([what, body]) => ({
    name: `invalid JSON: ${what}`,
    request: rawJson(body),
    status: 400,
    code: 'BAD_REQUEST',
  })),
  ...[
    ['an empty body', ''],
    ['an empty object', '{}'],
    ['an empty query', '{"query":""}'],
    ['a query that is a number', '{"query":5}'],
    ['variables as a string', '{"query":"{ __typename }","variables":"{}"}'],
    ['variables as a list', '{"query":"{ __typename }","variables":[]}'],
    ['extensions as a string', '{"query":"{ __typename }","extensions":"x"}'],
    ['operationName as a number', '{"query":"{ __typename }","operationName":5}'],
    ['an HTTP batch of two operations', `[${TYPENAME},${TYPENAME}]`],
    ['an empty batch', '[]'],
  ].map(([what, body]) => ({
    name: `malformed request: ${what}`,
    request: rawJson(body),
    status: 400,
    code: 'BAD_REQUEST',
  })),
  ...(['gzip', 'deflate', 'br'] as const).map((encoding) => ({
    name: `${encoding} content-encoding over a body that is not ${encoding}`,
    request: { headers: { ...JSON_TYPE, 'content-encoding': encoding }, body: TYPENAME },
    status: 400,
    code: 'BAD_REQUEST',
    message: `The request body is not valid ${encoding} (its content-encoding)`,
  })),
  {
    name: 'an unsupported content-encoding',
    request: { headers: { ...JSON_TYPE, 'content-encoding': 'compress' }, body: TYPENAME },
    status: 415,
    code: 'BAD_REQUEST',
    message: "The request body's content-encoding is not supported: use gzip, deflate, br or none",
  },
  {
    name: 'an unsupported charset',
    request: typed('application/json; charset=latin1', TYPENAME),
    status: 415,
    code: 'BAD_REQUEST',
    message: 'The request body must be JSON in UTF-8',
  },
  {
    name: 'an automatic persisted query the router never stored',
    request: rawJson(
      `{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"${'a'.repeat(64)}"}}}`,
    ),
    status: 200,
    code: 'PERSISTED_QUERY_NOT_SUPPORTED',
  },
  {
    name: 'a persisted-query hash that does not match its query',
    request: rawJson(
      `{"query":"{ __typename }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"${'a'.repeat(64)}"}}}`,
    ),
    status: 200,
    code: 'PERSISTED_QUERY_NOT_SUPPORTED',
  },
];

const contentTypes: Row[] = [
  // Simple requests a browser may send cross-site without asking: CSRF prevention refuses them.
  ...[
    ['text/plain', TYPENAME],
    ['application/x-www-form-urlencoded', 'query=%7B__typename%7D'],
    ['multipart/form-data; boundary=x', '--x\r\n\r\n--x--'],
  ].map(([type, body]) => ({
    name: `content-type ${type}`,
    request: typed(type as string, body as string),
    status: 400,
    code: 'BAD_REQUEST',
  })),
  {
    name: 'no content-type',
    request: { body: new TextEncoder().encode(TYPENAME) },
    status: 400,
    code: 'BAD_REQUEST',
  },
  ...[
    ['application/xml', '<query/>'],
    ['application/graphql', '{ __typename }'],
    ['application/yaml', 'query: "{ __typename }"'],
  ].map(([type, body]) => ({
    name: `content-type ${type} (not read as JSON)`,
    request: typed(type as string, body as string),
    status: 400,
    code: 'BAD_REQUEST',
  })),
  {
    name: 'GET without a preflight header (CSRF)',
    request: { method: 'GET', search: '?query=%7B__typename%7D' },
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'GET of a mutation',
    request: {
      method: 'GET',
      search: `?query=${encodeURIComponent('mutation { login(username: "a", password: "b") { token } }')}`,
      headers: { 'apollo-require-preflight': 'true' },
    },
    status: 405,
    code: 'BAD_REQUEST',
  },
  {
    name: 'GET with variables that are not JSON',
    request: {
      method: 'GET',
      search: '?query=%7B__typename%7D&variables=%7Bnope',
      headers: { 'apollo-require-preflight': 'true' },
    },
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'PUT',
    request: { method: 'PUT', ...rawJson(TYPENAME) },
    status: 405,
    code: 'BAD_REQUEST',
  },
  {
    name: 'PATCH',
    request: { method: 'PATCH', ...rawJson(TYPENAME) },
    status: 405,
    code: 'BAD_REQUEST',
  },
];

const unknownOperations: Row[] = [
  ...[
    ['an unknown root field', '{ doesNotExist }'],
    ['an unknown argument', '{ factorial(n: 5, extra: 1) { result } }'],
    ['an unknown subfield', '{ factorial(n: 5) { nonsense } }'],
    ['an unknown mutation', 'mutation { deleteEverything }'],
    ['a subgraph-only field (_entities)', '{ _entities(representations: []) { __typename } }'],
    ['a subgraph-only field (_service)', '{ _service { sdl } }'],
    ['an undefined fragment', '{ ...Nope }'],
    ['a fragment on the wrong type', '{ ...F } fragment F on User { id }'],
    ['a fragment cycle', '{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }'],
    ['an unknown directive', '{ __typename @nope }'],
    ['a scalar without a selection', '{ factorial(n: 5) }'],
  ].map(([what, query]) => ({
    name: `${what}`,
    request: json(query as string),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  })),
  {
    name: '@include with a string',
    request: json('{ __typename @include(if: "yes") }'),
    status: 400,
    code: 'BAD_USER_INPUT',
    message: '@include(if:): Boolean cannot represent a non boolean value: "yes"',
  },
  ...[
    ['an unclosed selection', '{ factorial(n: 5) { result }'],
    ['stray braces', '}}}'],
    ['a string as a selection', '{ "string" }'],
    ['a non-ASCII field name', '{ fäctorial(n: 5) { result } }'],
    ['an invalid \\u escape', '{ power(base: "\\uZZZZ", exponent: 2) { result } }'],
    ['a lone surrogate escape', '{ power(base: "\\uD800", exponent: 2) { result } }'],
  ].map(([what, query]) => ({
    name: `syntax error: ${what}`,
    request: json(query as string),
    status: 400,
    code: 'GRAPHQL_PARSE_FAILED',
  })),
  {
    name: 'a subscription over HTTP',
    request: json('subscription { logAdded { id } }'),
    status: 400,
    code: 'BAD_REQUEST',
  },
  // graphql-js 16 collects a subscription's root fields while validating without the variables'
  // values, and threw on `@include(if: $s)` there: a 500 for any document holding such a
  // subscription, whichever operation it ran. The spec forbids both directives at that level.
  ...[
    [
      '@include(if: $s) on its field',
      'subscription B($s: Boolean!) { logAdded @include(if: $s) { id } }',
    ],
    ['@skip(if: true) on its field', 'subscription B { logAdded @skip(if: true) { id } }'],
    [
      '@skip(if: $s) in a fragment it spreads',
      'subscription B($s: Boolean = false) { ...F } fragment F on Subscription { logAdded @skip(if: $s) { id } }',
    ],
    [
      '@include on an inline fragment',
      'subscription B { ... on Subscription @include(if: true) { logAdded { id } } }',
    ],
  ].map(([what, subscription]) => ({
    name: `a query beside a subscription with ${what as string}`,
    request: {
      headers: JSON_TYPE,
      body: JSON.stringify({ query: `query A { __typename } ${subscription}`, operationName: 'A' }),
    },
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    message:
      'Subscription "B" must not use `@skip` or `@include` directives in the top level selection.',
  })),
  {
    name: 'an operationName the document does not have',
    request: {
      headers: JSON_TYPE,
      body: JSON.stringify({ query: 'query A { __typename }', operationName: 'B' }),
    },
    status: 400,
    code: 'OPERATION_RESOLUTION_FAILURE',
  },
  {
    name: 'two operations and no operationName',
    request: json('query A { __typename } query B { __typename }'),
    status: 400,
    code: 'OPERATION_RESOLUTION_FAILURE',
  },
];

const floods: Row[] = [
  ...[11, 50, 200].map((depth) => ({
    name: `a query ${depth} fields deep`,
    request: json(nested(depth)),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  })),
  ...[
    ['31 aliases of me', aliased(31, 'me { id }')],
    ['31 aliased calculations', aliased(31, 'factorial(n: 5) { result }')],
    [
      '31 aliased logins',
      `mutation ${aliased(31, 'login(username: "victim", password: "guess-guess") { token }')}`,
    ],
    ['21 directives', `{ __typename ${'@skip(if: false) '.repeat(21)}}`],
  ].map(([what, query]) => ({
    name: what as string,
    request: json(query as string),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  })),
  ...[
    ['1,000 aliases of __typename (over the token limit)', aliased(1000, '__typename')],
    ['2,000 repeated fields', `{ ${'__typename '.repeat(2000)}}`],
  ].map(([what, query]) => ({
    name: what as string,
    request: json(query as string),
    status: 400,
    code: 'GRAPHQL_PARSE_FAILED',
  })),
];

const variableMaps: Row[] = [
  {
    name: '100,000 variables (over the body limit)',
    request: json(
      '{ __typename }',
      Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`v${i}`, i])),
    ),
    ...tooLarge,
  },
  {
    name: '400 declared variables, none used',
    request: json(
      `query(${Array.from({ length: 400 }, (_, i) => `$v${i}: Int`).join(' ')}) { __typename }`,
    ),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'an Int! variable that is a 5,000-deep array',
    request: rawJson(`{"query":${JSON.stringify(FACTORIAL)},"variables":{"n":${deepArray(5000)}}}`),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a Numeric! variable that is a 5,000-deep array',
    request: rawJson(
      `{"query":${JSON.stringify(POWER)},"variables":{"b":${deepArray(5000)},"e":2}}`,
    ),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a Numeric! variable that is an object of 3,000 keys',
    request: json(POWER, {
      b: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i])),
      e: 2,
    }),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
];

const refusedUsername = { status: 200, code: 'BAD_USER_INPUT' };
const unicodeCredentials: Row[] = [
  ...[
    ['non-ASCII letters', 'ådå'],
    ['a zero-width space', 'ada\u200b'],
    ['a right-to-left override', '\u202eada'],
    ['a NUL character', 'ad\u0000a'],
    ['a Cyrillic look-alike', 'аda'],
    ['fullwidth letters', 'ＡＤＡ'],
    ['a combining accent', 'a\u0301da'],
    ['emoji', '😀😀😀'],
    ['a lone surrogate', '\ud800ada'],
    ['a dotted capital I', 'İstanbul'],
    ['only spaces', '   '],
    ['33 characters', 'a'.repeat(33)],
    ['60,000 characters', 'a'.repeat(60_000)],
  ].map(([what, username]) => ({
    name: `register: a username with ${what}`,
    request: json(REGISTER, { u: username, p: 'long-password' }),
    ...refusedUsername,
  })),
  ...[
    ['7 characters', 'short-7'],
    ['7 emoji (28 bytes but 7 characters)', '😀'.repeat(7)],
    ['19 emoji (76 bytes)', '😀'.repeat(19)],
    ['37 two-byte letters (74 bytes)', 'é'.repeat(37)],
  ].map(([what, password]) => ({
    name: `register: a password of ${what}`,
    request: json(REGISTER, { u: freshName(), p: password }),
    ...refusedUsername,
  })),
  ...[
    ['an unknown non-ASCII username', { u: 'ådå', p: 'long-password' }],
    ['a NUL in the username', { u: 'table_user\u0000', p: 'long-password' }],
    ['a lone surrogate as username and password', { u: '\udfff', p: '\ud800' }],
    ['a 10,000-character username', { u: 'x'.repeat(10_000), p: 'long-password' }],
    ['a 10,000-character password', { u: 'table_user', p: 'x'.repeat(10_000) }],
    ['empty credentials', { u: '', p: '' }],
  ].map(([what, variables]) => ({
    name: `login: ${what as string}`,
    request: json(LOGIN, variables as Record<string, string>),
    status: 200,
    code: 'UNAUTHENTICATED',
  })),
  ...[
    ['a non-ASCII token', 'Bearer tökén'],
    ['three dots', 'Bearer ...'],
    ['a Basic credential', 'Basic dGFibGU6dXNlcg=='],
  ].map(([what, authorization]) => ({
    name: `Authorization: ${what}`,
    request: {
      headers: { ...JSON_TYPE, authorization: authorization as string },
      body: JSON.stringify({ query: '{ me { id } }' }),
      signedIn: false,
    },
    status: 401,
    code: 'UNAUTHENTICATED',
  })),
];

const table: Row[] = [
  ...wrongTypes,
  ...pastTheLimits,
  ...numericStrings,
  ...hugeBodies,
  ...invalidJson,
  ...contentTypes,
  ...unknownOperations,
  ...floods,
  ...variableMaps,
  ...unicodeCredentials,
];

async function send(url: string, request: MalformedRequest, token: string) {
  const body = typeof request.body === 'function' ? request.body() : request.body;
  const response = await fetch(`${url}${request.search ?? ''}`, {
    method: request.method ?? 'POST',
    headers: {
      ...(request.signedIn === false ? {} : bearer(token)),
      ...request.headers,
    },
    body: body as NonNullable<RequestInit['body']> | undefined,
  });
  const text = await response.text();
  let parsed: { errors?: Array<{ message?: string; extensions?: { code?: string } }> } = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    // reported below as a missing code, with the start of the body
  }
  return {
    status: response.status,
    code: parsed.errors?.[0]?.extensions?.code ?? `no code in: ${text.slice(0, 120)}`,
    message: parsed.errors?.[0]?.message,
  };
}

const databases = [
  { database: 'sqlite' as const, skip: false },
  { database: 'postgres' as const, skip: !testDatabaseUrl },
];

it('the table has at least 100 malformed requests', () => {
  expect(table.length).toBeGreaterThanOrEqual(100);
});

describe.each(databases)(
  'malformed requests through the router on $database',
  ({ database, skip }) => {
    let system: TestSystem;
    let logs: ServiceLogs;
    let token: string;

    beforeAll(async () => {
      if (skip) return;
      logs = serviceLogs();
      system = await startTestSystem({ database, logger: logs.logger });
      const registered = await gql<{ register: { token: string } }>(
        system.urls.router,
        'mutation { register(username: "table_user", password: "long-password") { token } }',
      );
      token = registered.data!.register.token;
    });
    afterAll(async () => {
      await system?.stop();
    });

    it.skipIf(skip).each(table)(
      '$name: HTTP $status, $code',
      async ({ request, status, code, message }) => {
        const answer = await send(system.urls.router, request, token);
        expect({ ...answer, message: message && answer.message }).toEqual({
          status,
          code,
          message,
        });
      },
    );

    it.skipIf(skip)('nothing was logged at error level by any service', () => {
      expect(logs.errors()).toEqual([]);
    });

    it.skipIf(skip)('the router and both subgraphs are still ready and answering', async () => {
      for (const url of Object.values(system.urls)) {
        expect((await fetch(url.replace(/\/graphql$/, '/ready'))).status, url).toBe(200);
      }
      const calculated = await gql<{ factorial: { result: string } }>(
        system.urls.router,
        '{ factorial(n: 20) { result } }',
        {},
        bearer(token),
      );
      expect(calculated.data?.factorial.result).toBe('2432902008176640000');
    });
  },
);
