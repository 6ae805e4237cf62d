/**
 * docs/BENCHMARKS.md: each benchmark owns the block between its begin and end markers and
 * rewrites only that, so text outside the markers (the introduction, notes added by hand) stays,
 * and one benchmark can be rerun without touching the others' results. The summary of targets
 * is rebuilt from every section's targets after each update, so it always agrees with them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as prettier from 'prettier';
import { benchmarks, type BenchmarkName } from './benches.js';
import { repoRoot } from './cli.js';
import { markdownTable, metLabel, type TargetResult } from './report.js';

type BlockName = BenchmarkName | 'summary';

const beginMarker = (name: BlockName) => `<!-- bench:${name}:begin -->`;
const endMarker = (name: BlockName) => `<!-- bench:${name}:end -->`;
const block = (name: BlockName, body: string) =>
  `${beginMarker(name)}\n\n${body.trim()}\n\n${endMarker(name)}`;

/** The file as a fresh checkout or a scratch --docs path starts: intro, summary, empty sections. */
function skeleton(): string {
  return [
    '# Benchmarks',
    'Produced by `npm run bench` (every script under `bench/`, in order) or `npm run bench -- NAME` ' +
      '(one of them). Each script prints its tables and rewrites its own section of this file; ' +
      'the summary of targets below is rebuilt from the sections. Figures drift between machines ' +
      'and between runs on one machine, so every figure that a target is judged on is a ratio of ' +
      'two things measured in the same run, and each section names the machine, the versions ' +
      'and the command that made it.',
    '## Targets',
    block('summary', 'No benchmark has run yet.'),
    ...benchmarks.map((b) => block(b.name, `## ${b.title}\n\nNot run yet.`)),
  ].join('\n\n');
}

function replaceBlock(text: string, name: BlockName, body: string): string {
  const begin = text.indexOf(beginMarker(name));
  const end = text.indexOf(endMarker(name));
  if (begin !== -1 && end > begin) {
    return text.slice(0, begin) + block(name, body) + text.slice(end + endMarker(name).length);
  }
  // A file from before this section existed: add it at the end rather than fail.
  return `${text.trimEnd()}\n\n${block(name, body)}\n`;
}

const TARGETS_COMMENT = /<!-- bench:targets:([a-z]+) (.*?) -->/g;

function summary(text: string): string {
  const rows: string[][] = [];
  for (const b of benchmarks) {
    for (const match of text.matchAll(TARGETS_COMMENT)) {
      if (match[1] !== b.name) continue;
      const targets = JSON.parse(match[2] as string) as TargetResult[];
      for (const t of targets) rows.push([b.title, t.target, t.measured, metLabel(t.met)]);
    }
  }
  if (rows.length === 0) return 'No benchmark has run yet.';
  return markdownTable(['benchmark', 'target', 'measured', 'met?'], rows);
}

export async function updateDocs(
  path: string,
  name: BenchmarkName,
  section: string,
): Promise<void> {
  let text = existsSync(path) ? readFileSync(path, 'utf8') : skeleton();
  text = replaceBlock(text, name, section);
  text = replaceBlock(text, 'summary', summary(text));
  // Formatted as `prettier --check docs` expects, with the repository's settings wherever the file is.
  const config = await prettier.resolveConfig(join(repoRoot, 'docs', 'BENCHMARKS.md'));
  const formatted = await prettier.format(text, { ...config, parser: 'markdown' });
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, formatted);
}

/** The same formatting for the console, so tables line up there too. */
export async function formatMarkdown(text: string): Promise<string> {
  const config = await prettier.resolveConfig(join(repoRoot, 'docs', 'BENCHMARKS.md'));
  return prettier.format(text, { ...config, parser: 'markdown' });
}
