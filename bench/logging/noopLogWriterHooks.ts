/**
 * Module resolution hooks (node:module `register`) that hand math's service the do-nothing log
 * writer instead of its own. Resolution, not the service's code, is what changes, so the
 * "logging off" process runs exactly the production wiring otherwise.
 */
import type { ResolveHook } from 'node:module';

/** Math's log writer, built (as the benchmarks run math) or from source. */
const REAL_LOG_WRITER = /\/subgraphs\/math\/(dist\/logs\/logWriter\.js|src\/logs\/logWriter\.ts)$/;
const NOOP_LOG_WRITER = new URL('./noopLogWriter.ts', import.meta.url).href;

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const resolved = await nextResolve(specifier, context);
  return REAL_LOG_WRITER.test(resolved.url)
    ? { url: NOOP_LOG_WRITER, format: 'module', shortCircuit: true }
    : resolved;
};
