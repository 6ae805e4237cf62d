/**
 * The benchmarks' own measuring tools, on inputs whose answer is known: CPU time read from
 * /proc, and a CPU profile's samples grouped by the code that ran them within a time window.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { profileShares } from '../bench/lib/cpuProfile.js';
import { processCpu } from '../bench/lib/processCpu.js';

describe('processCpu', () => {
  it('reads the user and the system CPU this process has spent, each as getrusage counts it, to the 10 ms tick', () => {
    // Differences over the test: the worker may have run other files before this one.
    const procBefore = processCpu(process.pid);
    const start = process.cpuUsage();
    // User time: a spin until getrusage counts 60 ms of it (wall time would not do: a loaded
    // machine may run another process for most of it).
    while (process.cpuUsage(start).user < 60_000);
    // System time: system calls that do real work in the kernel, until getrusage counts 60 ms.
    const dir = mkdtempSync(join(tmpdir(), 'mm-cpu-test-'));
    try {
      const file = join(dir, 'f');
      const block = Buffer.alloc(64 * 1024);
      while (process.cpuUsage(start).system < 60_000) {
        for (let i = 0; i < 50; i += 1) writeFileSync(file, block);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const procAfter = processCpu(process.pid);
    const own = process.cpuUsage(start);
    const fromProc = {
      user: procAfter.user - procBefore.user,
      system: procAfter.system - procBefore.system,
    };
    // /proc rounds each down to whole ticks, and counts threads getrusage also counts.
    for (const kind of ['user', 'system'] as const) {
      expect(fromProc[kind], kind).toBeGreaterThan(own[kind] - 30_000);
      expect(fromProc[kind], kind).toBeLessThanOrEqual(own[kind] + 30_000);
    }
    // Each kind was spent on purpose, so neither may read as nothing.
    expect(fromProc.user).toBeGreaterThanOrEqual(40_000);
    expect(fromProc.system).toBeGreaterThanOrEqual(40_000);
  });
});

describe('profileShares', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-profile-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const repoRoot = '/repo';
  const frame = (id: number, functionName: string, url: string) => ({
    id,
    callFrame: { functionName, url, scriptId: '0', lineNumber: 0, columnNumber: 0 },
  });

  it('adds up the samples inside the window by package, our workspaces, socket writes and GC, leaving idle out', () => {
    const profile = {
      nodes: [
        frame(1, '(root)', ''),
        frame(2, '(idle)', ''),
        frame(3, 'processGraphQLRequest', 'file:///repo/node_modules/@apollo/server/dist/x.js'),
        frame(4, 'answer', 'file:///repo/router/src/http/httpContext.ts'),
        frame(5, 'writev', ''),
        frame(6, '(garbage collector)', ''),
        frame(7, 'post', 'file:///repo/packages/shared/dist/x.js'),
      ],
      startTime: 1_000,
      // A sample is taken at the start time plus the deltas so far (1,100, 1,200, 1,300, 1,500,
      // …, 2,350, 7,350) and stands for its own delta: the first two and the last fall outside
      // the window [1,250, 2,400], and the idle one inside it is not busy.
      samples: [3, 3, 3, 4, 5, 6, 2, 7, 3],
      timeDeltas: [100, 100, 100, 200, 300, 100, 400, 50, 5_000],
    };
    const file = join(dir, 'CPU.cpuprofile');
    writeFileSync(file, JSON.stringify(profile));

    const { busyMicros, groups } = profileShares(file, 1_250, 2_400, repoRoot);

    expect(Object.fromEntries(groups)).toEqual({
      '@apollo/server': 100,
      'ours: router': 200,
      'socket writes (system calls)': 300,
      'garbage collection': 100,
      'ours: packages/shared': 50,
    });
    expect(busyMicros).toBe(750);
  });
});
