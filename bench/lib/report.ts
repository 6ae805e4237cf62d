/**
 * A benchmark's results as data, and their Markdown: the section each script owns in
 * docs/BENCHMARKS.md and prints on the console.
 */
import { describeMachine, nodeVersion } from './environment.js';
import type { BenchmarkName } from './benches.js';

export interface Table {
  /** A short heading above the table. */
  title: string;
  header: string[];
  rows: string[][];
  /** Sentences under the table: what a column means, what was skipped and why. */
  notes?: string[];
}

export interface TargetResult {
  /** The target as the issue states it. */
  target: string;
  /** The measured ratio or figure it is judged on. */
  measured: string;
  /** null when the run could not measure it (the reason is in `measured`). */
  met: boolean | null;
}

export interface Section {
  name: BenchmarkName;
  title: string;
  /** How the figures were produced: Markdown paragraphs. */
  method: string[];
  /** Versions of what was measured, beyond Node's. */
  versions: string[];
  tables: Table[];
  targets: TargetResult[];
}

export interface RunInfo {
  command: string;
  quick: boolean;
  startedAt: Date;
  machine: string;
}

export function runInfo(name: BenchmarkName, quick: boolean): RunInfo {
  return {
    command: `npm run bench -- ${name}${quick ? ' --quick' : ''}`,
    quick,
    startedAt: new Date(),
    machine: describeMachine(),
  };
}

const escapeCell = (cell: string) => cell.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(header: readonly string[], rows: readonly string[][]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function metLabel(met: boolean | null): string {
  return met === null ? 'not measured' : met ? 'met' : '**not met**';
}

export function targetsTable(targets: readonly TargetResult[]): string {
  return markdownTable(
    ['target', 'measured (this run)', 'met?'],
    targets.map((t) => [t.target, t.measured, metLabel(t.met)]),
  );
}

/** Marks a section's targets for the summary, in a comment nobody reads on the rendered page. */
export function targetsComment(name: BenchmarkName, targets: readonly TargetResult[]): string {
  // JSON never has "--" outside strings; escaping it inside keeps the comment well-formed.
  const json = JSON.stringify(targets).replace(/--/g, '-\\u002d');
  return `<!-- bench:targets:${name} ${json} -->`;
}

export function renderSection(section: Section, run: RunInfo): string {
  const parts = [
    `## ${section.title}`,
    run.quick
      ? '> **Quick run** (`--quick`): tiny sizes that only prove the script works. These figures mean nothing.'
      : '',
    [
      `- **Command:** \`${run.command}\``,
      `- **Run:** ${run.startedAt.toISOString().replace(/\.\d+Z$/, 'Z')}`,
      `- **Machine:** ${run.machine}`,
      `- **Versions:** ${[nodeVersion(), ...section.versions].join('; ')}`,
    ].join('\n'),
    '### Method',
    ...section.method,
  ];
  for (const table of section.tables) {
    parts.push(
      `### ${table.title}`,
      markdownTable(table.header, table.rows),
      ...(table.notes ?? []),
    );
  }
  parts.push(
    '### Targets',
    targetsTable(section.targets),
    targetsComment(section.name, section.targets),
  );
  return parts.filter((part) => part !== '').join('\n\n');
}

/** The tables and targets for the console, without the method text. */
export function renderForConsole(section: Section): string {
  const parts = [`# ${section.title}`];
  for (const table of section.tables) {
    parts.push(`## ${table.title}`, markdownTable(table.header, table.rows));
  }
  parts.push('## Targets', targetsTable(section.targets));
  return parts.join('\n\n');
}
