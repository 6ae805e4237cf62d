/** What a reader needs to judge a figure: the machine it came from and the versions involved. */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, arch, totalmem } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

export function describeMachine(): string {
  const cores = cpus();
  const model = cores[0]?.model.trim() ?? 'unknown CPU';
  const memoryGb = Math.round(totalmem() / 1024 ** 3);
  // The load average before the run tells a reader whether something else was competing.
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${model}, ${cores.length} cores, ${memoryGb} GB RAM, ${platform()} ${release()} ${arch()}, load average ${load} at start`;
}

export function nodeVersion(): string {
  return `Node ${process.versions.node} (V8 ${process.versions.v8})`;
}

/** The installed version of a package, as npm resolved it for the workspace root. */
export function packageVersion(name: string): string {
  for (const dir of [repoRoot, join(repoRoot, 'router'), join(repoRoot, 'subgraphs', 'math')]) {
    const manifest = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) {
      return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
    }
  }
  return 'not installed';
}

/** "name version" for each package, joined for a one-line versions note. */
export function packageVersions(names: readonly string[]): string {
  return names.map((name) => `${name} ${packageVersion(name)}`).join(', ');
}
