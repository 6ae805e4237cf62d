/**
 * The Python columns: CPython's own integers (`python3`, the first on PATH) and GMP through
 * Debian's python3-gmpy2, which belongs to Debian's interpreter (`/usr/bin/python3`). Each runs
 * bench/kernels/peers.py as one long-lived process, so interpreter start-up is never timed.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { KernelCase } from './cases.js';
import type { Measurement } from './measurement.js';

const run = promisify(execFile);
const script = new URL('./peers.py', import.meta.url).pathname;

export const CPYTHON = 'python3';
export const DEBIAN_PYTHON = '/usr/bin/python3';

export interface PythonPeer {
  /** E.g. "gmpy2 2.1.2 with GMP 6.2.1 (CPython 3.11.2)". */
  version: string;
  measure(c: KernelCase, options: { convert: boolean; minTotalMs: number }): Promise<Measurement>;
  close(): void;
}

interface PeerAnswer {
  computeSeconds: number;
  convertSeconds: number | null;
  digits?: number;
  sha256?: string;
}

export async function startPythonPeer(
  python: string,
  kind: 'cpython' | 'gmpy2',
): Promise<PythonPeer> {
  const child: ChildProcessWithoutNullStreams = spawn(python, [script, kind]);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`${python} ${kind} exited (${code}): ${stderr}`)),
    ),
  );
  exited.catch(() => undefined); // only awaited while a line is pending
  const nextLine = async () => {
    const next = await Promise.race([lines.next(), exited]);
    if (next.done) throw new Error(`${python} ${kind} closed its output: ${stderr}`);
    return JSON.parse(next.value) as unknown;
  };

  const { version } = (await nextLine()) as { version: string };
  return {
    version,
    async measure(c, { convert, minTotalMs }) {
      child.stdin.write(`${JSON.stringify({ ...c, convert, minSeconds: minTotalMs / 1000 })}\n`);
      const answer = (await nextLine()) as PeerAnswer;
      return {
        computeMs: answer.computeSeconds * 1000,
        convertMs: answer.convertSeconds === null ? undefined : answer.convertSeconds * 1000,
        digits: answer.digits ?? Number.NaN,
        ...(answer.sha256 ? { sha256: answer.sha256 } : {}),
      };
    },
    close() {
      child.stdin.end();
      child.kill();
    },
  };
}

async function hasGmpy2(): Promise<boolean> {
  try {
    await run(DEBIAN_PYTHON, ['-c', 'import gmpy2']);
    return true;
  } catch {
    return false;
  }
}

/**
 * Installs python3-gmpy2 with apt when Debian's Python lacks it (PyPI is unreachable here).
 * Resolves with undefined when gmpy2 is usable, or the reason it is not.
 */
export async function ensureGmpy2(): Promise<string | undefined> {
  if (await hasGmpy2()) return undefined;
  console.log('python3-gmpy2 is missing: installing it with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => run('apt-get', ['install', '-y', '-qq', 'python3-gmpy2'], { env });
  try {
    await install().catch(async () => {
      // A fresh machine may not have package lists yet.
      await run('apt-get', ['update', '-qq'], { env });
      await install();
    });
  } catch (error) {
    return `python3-gmpy2 could not be installed: ${(error as Error).message.split('\n')[0]}`;
  }
  return (await hasGmpy2()) ? undefined : 'python3-gmpy2 installed but gmpy2 does not import';
}
