/**
 * Where a worker thread's code is and how a fresh thread can load it, in all three ways this module
 * itself gets loaded:
 *
 * 1. under tsx (`tsx subgraphs/math/src/main.ts`): the calling module is `.ts`;
 * 2. under Vitest: also `.ts`, but Vitest's transform stops at the thread boundary, and its
 *    forked test processes carry no TypeScript loader a worker could inherit;
 * 3. after `tsc` to `dist/`: everything is `.js` and plain Node loads it.
 *
 * So the worker's extension is taken from the calling module's URL (the worker sits beside it), and a `.ts` worker is started
 * with `--import <tsx's loader>`, resolved from here to an absolute URL so it does not depend on
 * the process's working directory, and with `--conditions=source`, so the workspace packages it
 * imports (math's kernels read `@microservice-math/shared/numericRules`) load from their source
 * as in the parent, not from a `dist/` that a source checkout does not have. Nothing else from the parent's execArgv is passed on: V8
 * flags such as --max-old-space-size are refused in a worker's explicit execArgv.
 *
 * Auth's password workers and math's compute workers use this.
 */
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface WorkerFile {
  /** Absolute path of the worker module, as piscina's `filename` wants it. */
  filename: string;
  /** The worker's execArgv, or undefined to inherit the parent's (plain JavaScript). */
  execArgv: string[] | undefined;
}

/**
 * How much lower than the process's own a worker thread's scheduling priority is (Linux nice,
 * per thread; piscina's `niceIncrement`, applied through its optional @napi-rs/nice, a prebuilt
 * binary in the registry package: without it the workers keep normal priority). With a worker
 * per core, busy workers (math's computations, auth's bcrypt) would otherwise take turns with the
 * event loops of the services and the router on the machine, and a light query arriving
 * mid-slice waits for the scheduler; at a lower priority the workers yield the core as soon as an
 * event loop wakes up, and still get every cycle the event loops leave idle.
 */
export const WORKER_NICE_INCREMENT = 10;

/** Thrown at pool creation when a TypeScript worker could not be loaded in a thread. */
export class WorkerLoaderError extends Error {
  override readonly name = 'WorkerLoaderError';
}

/** `name`: the worker module's file name without extension, beside the module at `moduleUrl`. */
export function resolveWorkerFile(moduleUrl: string, name = 'worker'): WorkerFile {
  const extension = extname(fileURLToPath(moduleUrl)); // '.ts' from source, '.js' once built
  const filename = fileURLToPath(new URL(`./${name}${extension}`, moduleUrl));
  if (extension !== '.ts') return { filename, execArgv: undefined };
  return { filename, execArgv: ['--import', tsxLoaderUrl(moduleUrl), '--conditions=source'] };
}

function tsxLoaderUrl(moduleUrl: string): string {
  try {
    // tsx's package "." export is its ESM loader (dist/loader.mjs), which registers both the ESM
    // hooks and the CommonJS require hook in the thread that imports it.
    return pathToFileURL(createRequire(moduleUrl).resolve('tsx')).href;
  } catch (cause) {
    throw new WorkerLoaderError(
      'The worker is TypeScript source and worker threads need tsx to load it, but ' +
        `"tsx" cannot be resolved from ${fileURLToPath(moduleUrl)}. Install tsx or run the built JavaScript.`,
      { cause },
    );
  }
}
