/**
 * The README's power examples answer what the README says: every row of its table of power
 * queries, and the annotated examples in its query block, through the router.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, gql, signUp } from '../../tests/support/graphql.js';
import { startTestSystem, type TestSystem } from '../../tests/support/system.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

interface Row {
  query: string;
  result: string;
  exact: boolean;
  fraction: string | null;
}

/** The rows of the table whose header starts with "| query". */
function exampleRows(): Row[] {
  const lines = readme.split('\n').map((line) => line.trim());
  const header = lines.findIndex((line) => /^\| query\s+\| `result`/.test(line));
  const rows: Row[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    const [query = '', result = '', exact = '', fraction = ''] = cells;
    rows.push({
      query: query.replace(/^`|`$/g, ''),
      result: result.replace(/^`|`$/g, ''),
      exact: exact === 'true',
      fraction: fraction === 'null' ? null : fraction.replace(/^`|`$/g, ''),
    });
  }
  return rows;
}

let system: TestSystem;
let token: string;

beforeAll(async () => {
  system = await startTestSystem();
  token = (await signUp(system.urls.router, 'readme_reader')).token;
});
afterAll(async () => {
  await system?.stop();
});

const ask = <T>(query: string) => gql<T>(system.urls.router, query, {}, bearer(token));

describe("the README's power table", () => {
  const rows = exampleRows();
  it('has its examples', () => {
    expect(rows.length).toBeGreaterThanOrEqual(10);
  });
  it.each(rows)('$query = $result', async (row) => {
    const answer = await ask<{ p: { result: string; exact: boolean; fraction: string | null } }>(
      `{ p: ${row.query} { result exact fraction } }`,
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.p).toEqual({
      result: row.result,
      exact: row.exact,
      fraction: row.fraction,
    });
  });
});

describe("the README's other examples", () => {
  it('the query block: 1.5^3 = 3.375 exact, √2 to 10 digits, F(-8) = -21', async () => {
    expect(readme).toContain('# 3.375, exact');
    expect(readme).toContain('# 1.414213562, not exact, no fraction');
    expect(readme).toContain('} # -21');
    const answer = await ask<Record<string, unknown>>(`{
      power(base: "1.5", exponent: 3) { result exact }
      root: power(base: 2, exponent: "1/2", precision: 10) { result exact fraction }
      fibonacci(n: -8) { result }
    }`);
    expect(answer.data).toEqual({
      power: { result: '3.375', exact: true },
      root: { result: '1.414213562', exact: false, fraction: null },
      fibonacci: { result: '-21' },
    });
  });

  it('power(base: 123456789012345678901234567890, exponent: 3) is exact', async () => {
    expect(readme).toContain('`power(base: 123456789012345678901234567890, exponent: 3)` is exact');
    const answer = await ask<{ power: { result: string; exact: boolean } }>(
      '{ power(base: 123456789012345678901234567890, exponent: 3) { result exact } }',
    );
    expect(answer.data?.power).toEqual({
      result: (123456789012345678901234567890n ** 3n).toString(),
      exact: true,
    });
  });
});
