/**
 * Builds that `npm start` needs (the web client, the GraphiQL playground), redone only when their
 * inputs changed: a SHA-256 of every input file's path and content (sources, configs, the
 * lockfile) is stored inside the build's output directory after a successful build, and a later
 * start compares. A build takes one to two minutes on a busy machine; the comparison a fraction of
 * a second. Deleting the output directory (or `npm run build -w client`) always rebuilds.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface BuildTarget {
  /** What is built, for people: "the web client". */
  name: string;
  /** Files and directories the build reads, relative to the root (directories recursively). */
  inputs: string[];
  /** The build's output directory, relative to the root; the stamp is kept inside it. */
  outDir: string;
  /** Further output directories of the same build: one missing means no build either. */
  alsoBuilds?: string[];
  /** The build command, run in the root. */
  command: string[];
}

export const repoRoot = resolve(import.meta.dirname, '..');

/**
 * These builds emit what the images' builds emit (`npm run build`, `npm run build:playground -w
 * router`; the services' modules by esbuild where the images use tsc, see serverBuild) without
 * checking types on the way: `npm run typecheck` checks every one of these
 * sources, and CI runs it. Checking again here cost about as much CPU as emitting (the services:
 * 35 s against 18 s; the client's vue-tsc 10 s against its bundle's 2 s), on every `npm start`
 * and test run after a change.
 */
function vite(args: string[]): string[] {
  return [process.execPath, join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'), ...args];
}

/** Shared by both builds: the lockfile pins every tool and library that goes into a bundle. */
const common = ['package-lock.json', 'tsconfig.base.json'];

export const clientBuild: BuildTarget = {
  name: 'the web client',
  inputs: [
    'client/src',
    'client/index.html',
    'client/vite.config.ts',
    'client/tsconfig.json',
    'client/package.json',
    'packages/shared/src/precompressed.ts',
    ...common,
  ],
  outDir: 'client/dist',
  command: vite(['build', 'client']),
};

export const playgroundBuild: BuildTarget = {
  name: 'the GraphiQL playground',
  inputs: [
    'router/playground',
    'router/package.json',
    'packages/shared/src/precompressed.ts',
    ...common,
  ],
  outDir: 'router/dist/playground',
  command: vite(['build', '--config', 'router/playground/vite.config.ts']),
};

export const startBuilds: BuildTarget[] = [clientBuild, playgroundBuild];

/** Every workspace whose `src/` tsc builds into `dist/` (see each one's tsconfig.build.json). */
export const serverWorkspaces = ['packages/shared', 'subgraphs/auth', 'subgraphs/math', 'router'];

/**
 * The services' JavaScript as the images have it: each workspace's modules as tsc emits them, and
 * auth, math and the router bundled (`npm run build`, scripts/bundleServices.ts). Emitted here by
 * esbuild, without types (tests/production.test.ts and every test that starts a service process
 * runs it).
 */
export const serverBuild: BuildTarget = {
  name: 'the services',
  inputs: [
    ...serverWorkspaces.flatMap((dir) => [
      `${dir}/src`,
      `${dir}/package.json`,
      `${dir}/tsconfig.build.json`,
    ]),
    'scripts/bundleServices.ts',
    'scripts/freshBuild.ts', // serverWorkspaces, above
    ...common,
  ],
  outDir: 'router/dist',
  alsoBuilds: serverWorkspaces.map((dir) => `${dir}/dist`),
  command: [process.execPath, '--import', 'tsx', 'scripts/bundleServices.ts', '--emit'],
};

/** The stamp's name: a dotfile, which the static file servers do not serve. */
export const STAMP = '.inputs.sha256';

/** Test files sit beside the sources but never reach a bundle. */
const ignored = (name: string) =>
  name === 'node_modules' || name === 'dist' || /\.test\.ts$/.test(name);

function inputFiles(root: string, input: string): string[] {
  const path = join(root, input);
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => !ignored(entry.name))
    .flatMap((entry) => inputFiles(root, join(input, entry.name)));
}

/** One hash over the inputs' paths and contents, independent of the order they are listed in. */
export function inputsHash(root: string, inputs: string[]): string {
  const hash = createHash('sha256');
  const files = [...new Set(inputs.flatMap((input) => inputFiles(root, input)))].sort();
  for (const file of files) {
    // Paths with forward slashes, so a stamp means the same on every platform.
    hash.update(relative(root, file).split(sep).join('/')).update('\0');
    hash.update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** Why `target` must be built, or undefined when its output matches its inputs. */
export function staleReason(root: string, target: BuildTarget, hash: string): string | undefined {
  const stamp = join(root, target.outDir, STAMP);
  const outputs = [target.outDir, ...(target.alsoBuilds ?? [])];
  if (!existsSync(stamp) || !outputs.every((dir) => existsSync(join(root, dir)))) {
    return 'no build yet';
  }
  if (readFileSync(stamp, 'utf8').trim() !== hash) return 'its sources changed';
  return undefined;
}

function run(command: string[], cwd: string, quiet: boolean): Promise<void> {
  const [file, ...args] = command as [string, ...string[]];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, {
      cwd,
      stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolvePromise()
        : reject(new Error(`${command.join(' ')} failed (${signal ?? `exit code ${code}`})`)),
    );
  });
}

export interface BuildOptions {
  /** The repository to build in; this one unless given. */
  root?: string;
  /** Where the line saying what is built, and why, goes; the console unless given. */
  say?: (line: string) => void;
  /** Nothing from the build itself but its errors. */
  quiet?: boolean;
}

/**
 * Builds `target` unless its stamp matches its inputs; says what it builds and why (`quiet`: and
 * nothing else, the build's errors aside). Resolves with whether it built.
 */
export async function buildIfChanged(
  target: BuildTarget,
  options: BuildOptions = {},
): Promise<boolean> {
  const root = options.root ?? repoRoot;
  const say = options.say ?? ((line: string) => console.log(line));
  const hash = inputsHash(root, target.inputs);
  if (!staleReason(root, target, hash)) return false;
  // Two processes building one target at once (test files run in parallel, or two starts) would
  // empty and write the same directory under each other: one builds, the other waits for it.
  const release = await buildLock(
    join(
      root,
      'node_modules',
      '.cache',
      'fresh-build',
      `${target.outDir.replace(/\//g, '_')}.lock`,
    ),
  );
  try {
    const reason = staleReason(root, target, hash);
    if (!reason) return false; // built by the process that held the lock
    say(`Building ${target.name} (${reason}): ${target.command.join(' ')}`);
    await run(target.command, root, options.quiet ?? false);
    writeFileSync(join(root, target.outDir, STAMP), `${hash}\n`);
    return true;
  } finally {
    release();
  }
}

let serverBuildChecked: Promise<boolean> | undefined;

/**
 * The services' build (`serverBuild`), checked (and redone if stale) once per process, however
 * many services the process starts: hashing every source again per start costs CPU the tests and
 * benchmarks share. The first caller's options apply; later callers wait for the same check.
 */
export function serverBuilt(options: Omit<BuildOptions, 'root'> = {}): Promise<boolean> {
  // A failed check is not kept: the next caller tries again rather than failing with it.
  serverBuildChecked ??= buildIfChanged(serverBuild, options).catch((error: unknown) => {
    serverBuildChecked = undefined;
    throw error;
  });
  return serverBuildChecked;
}

/** How often a process waiting for another's build looks again. */
const LOCK_POLL_MS = 200;

/**
 * A lock between processes: a directory (creating one is atomic) holding its owner's pid. A lock
 * whose owner has died (a build interrupted by Ctrl-C or a kill) is taken over.
 */
async function buildLock(path: string): Promise<() => void> {
  const owner = join(path, 'pid');
  mkdirSync(dirname(path), { recursive: true });
  for (;;) {
    try {
      mkdirSync(path, { recursive: false });
      writeFileSync(owner, String(process.pid));
      return () => rmSync(path, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (abandoned(path, owner)) rmSync(path, { recursive: true, force: true });
    else await sleep(LOCK_POLL_MS);
  }
}

/** The lock's owner has died; or it never wrote its pid, though it had seconds to. */
function abandoned(path: string, owner: string): boolean {
  const pid = readFileIfAny(owner);
  if (pid) return !processAlive(Number(pid));
  try {
    return Date.now() - statSync(path).mtimeMs > 10_000;
  } catch {
    return false; // gone meanwhile: the next attempt takes it
  }
}

function readFileIfAny(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
