import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, RequestErrorCode } from './errorCodes.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const sourceDirs = [
  'packages/shared/src',
  'subgraphs/auth/src',
  'subgraphs/math/src',
  'router/src',
  'client/src',
];

/** The services' and the client's own source files: no tests, nothing generated. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      return ['generated', 'gql', 'testing', 'node_modules'].includes(entry.name)
        ? []
        : sourceFiles(path);
    }
    return /\.(ts|vue)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) ? [path] : [];
  });
}

describe('error codes', () => {
  it('are spelled only in errorCodes.ts: everything else builds them from its list', () => {
    const codes = [...Object.values(ErrorCode), ...Object.values(RequestErrorCode)];
    const literal = new RegExp(`['"](${codes.join('|')})['"]`);
    const spelled = sourceDirs
      .flatMap((dir) => sourceFiles(join(repoRoot, dir)))
      .filter((file) => !file.endsWith('errorCodes.ts'))
      .filter((file) => literal.test(readFileSync(file, 'utf8')))
      .map((file) => relative(repoRoot, file));
    expect(spelled).toEqual([]);
  });

  it('include every code the documentation tells callers about', () => {
    const docs = readFileSync(join(repoRoot, 'docs', 'playground.md'), 'utf8');
    const documented = [...docs.matchAll(/^\| `([A-Z_]+)` +\|/gm)].map((match) => match[1]);
    expect(documented.length).toBeGreaterThan(0);
    const known: readonly string[] = [
      ...Object.values(ErrorCode),
      ...Object.values(RequestErrorCode),
    ];
    expect(documented.filter((code) => !known.includes(code as string))).toEqual([]);
  });
});
