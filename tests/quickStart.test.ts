/**
 * `npm start` rebuilds the client and the playground only when their inputs changed: a build
 * whose stamp matches its sources is skipped, and any change to a source, or a missing build,
 * builds again. Proven on a scratch tree with a build command that counts its runs, so the test
 * does not pay for a real Vite build.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIfChanged, repoRoot, startBuilds, type BuildTarget } from '../scripts/freshBuild.js';

let root: string;
const said: string[] = [];
const target: BuildTarget = {
  name: 'the scratch app',
  inputs: ['app/src', 'app/index.html', 'package-lock.json'],
  outDir: 'app/dist',
  // Writes the output directory and counts its own runs.
  command: [
    process.execPath,
    '-e',
    "const fs = require('fs'); fs.mkdirSync('app/dist', { recursive: true }); fs.appendFileSync('builds', 'x');",
  ],
};
const builds = () =>
  existsSync(join(root, 'builds')) ? readFileSync(join(root, 'builds'), 'utf8').length : 0;
const build = () => buildIfChanged(target, { root, quiet: true, say: (line) => said.push(line) });

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mm-fresh-build-'));
  mkdirSync(join(root, 'app', 'src', 'views'), { recursive: true });
  writeFileSync(join(root, 'app', 'src', 'main.ts'), 'export const answer = 42;\n');
  writeFileSync(join(root, 'app', 'src', 'views', 'Page.vue'), '<template>page</template>\n');
  writeFileSync(join(root, 'app', 'index.html'), '<div id="app"></div>\n');
  writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion": 3}\n');
  said.length = 0;
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('a build for npm start', () => {
  it('is made on the first start, which says what it builds and why', async () => {
    expect(await build()).toBe(true);
    expect(builds()).toBe(1);
    expect(said).toEqual([expect.stringMatching(/^Building the scratch app \(no build yet\)/)]);
  });

  it('is not made again while nothing it reads has changed', async () => {
    await build();
    expect(await build()).toBe(false);
    expect(await build()).toBe(false);
    expect(builds()).toBe(1);
  });

  it('is made again when a source, a nested source or the lockfile changes', async () => {
    await build();
    writeFileSync(join(root, 'app', 'src', 'views', 'Page.vue'), '<template>new</template>\n');
    expect(await build()).toBe(true);
    expect(said.at(-1)).toMatch(/\(its sources changed\)/);
    writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion": 3, "packages": {}}\n');
    expect(await build()).toBe(true);
    writeFileSync(join(root, 'app', 'src', 'added.ts'), 'export {};\n');
    expect(await build()).toBe(true);
    expect(builds()).toBe(4);
  });

  it('is made again when its output is gone, and not for a test file beside the sources', async () => {
    await build();
    writeFileSync(join(root, 'app', 'src', 'main.test.ts'), 'export {};\n');
    expect(await build()).toBe(false);
    rmSync(join(root, 'app', 'dist'), { recursive: true });
    expect(await build()).toBe(true);
    expect(builds()).toBe(2);
  });

  it('is made once when two builds are asked for at once (test files in parallel, two starts)', async () => {
    expect((await Promise.all([build(), build()])).sort()).toEqual([false, true]);
    expect(builds()).toBe(1);
  });

  it('is made when a build that was interrupted left its lock behind', async () => {
    const lock = join(root, 'node_modules', '.cache', 'fresh-build', 'app_dist.lock');
    mkdirSync(lock, { recursive: true });
    writeFileSync(join(lock, 'pid'), '2147483646'); // no such process
    expect(await build()).toBe(true);
    expect(builds()).toBe(1);
    expect(existsSync(lock)).toBe(false);
  });

  it('reads inputs that exist in this repository (a renamed folder would never rebuild)', () => {
    for (const { inputs } of startBuilds) {
      expect(inputs.filter((input) => !existsSync(join(repoRoot, input)))).toEqual([]);
    }
  });
});
