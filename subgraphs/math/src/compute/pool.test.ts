/**
 * The pool under Vitest: this also proves that a `.ts` worker loads in a thread Vitest's own
 * transform does not reach (through `--import tsx`, see packages/shared/src/workerFile.ts).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { preview } from '../kernels/decimal.js';
import { DomainError } from '../kernels/errors.js';
import { factorial } from '../kernels/factorial.js';
import { parseRational } from '../kernels/rational.js';
import type { ComputePool, ComputePoolOptions } from './pool.js';
import {
  ComputationCrashedError,
  ComputationTimeoutError,
  DEFAULT_INLINE_MAX_DIGITS,
  PoolClosedError,
  createComputePool,
} from './pool.js';
import {
  mainThreadNice,
  newThreadNices,
  threadNices,
} from '../../../../tests/support/threadPriority.js';
import { waitFor } from '../../../../tests/support/waitFor.js';

const open: ComputePool[] = [];
function pool(options: Partial<ComputePoolOptions> = {}): ComputePool {
  const created = createComputePool({ maxThreads: 2, timeoutMs: 30_000, ...options });
  open.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close({ force: true })));
});

const factorialTask = (n: number) => ({ operation: 'FACTORIAL', args: { n } }) as const;

/**
 * Runs one pooled task with a deadline long enough for a thread's start-up (tsx compiles the
 * worker: seconds on a loaded machine), so the deadlines a test then measures count computation
 * only, not start-up.
 */
async function warm(p: ComputePool): Promise<void> {
  await p.run(factorialTask(5000), { text: false, timeoutMs: 120_000 });
}

/** Whether `promise` has settled, read at any later moment. */
function settled(promise: Promise<unknown>): () => boolean {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  return () => done;
}

describe('compute pool', () => {
  it('answers small tasks inline and big ones in a worker, with the same results', async () => {
    const p = pool({ inlineMaxDigits: 2000 });
    const small = await p.run(factorialTask(100)); // 158 digits
    expect(p.stats()).toMatchObject({ inline: 1, pooled: 0 });
    const big = await p.run(factorialTask(5000)); // 16326 digits
    expect(p.stats()).toMatchObject({ inline: 1, pooled: 1 });

    expect(small).toMatchObject({ result: factorial(100).toString(), exact: true, digits: 158 });
    expect(big).toMatchObject({ result: factorial(5000).toString(), exact: true, digits: 16326 });
    const power = await p.run({
      operation: 'POWER',
      args: { base: parseRational('1.5'), exponent: parseRational('3'), precision: 50 },
    });
    expect(power).toMatchObject({ result: '3.375', exact: true, digits: 4 });
    expect(big.computeMs).toBeGreaterThan(0);
  });

  it('answers results of up to 4,932 digits inline, without waiting behind pooled work', async () => {
    const p = pool({ maxThreads: 1, timeoutMs: 2000 });
    await warm(p);
    const holding = p.run(factorialTask(3_000_000)); // holds the one thread for its whole deadline
    const busy = expect(holding).rejects.toBeInstanceOf(ComputationTimeoutError);
    const busySettled = settled(holding);
    const mid = await p.run(factorialTask(1500)); // 4,115 digits
    expect(busySettled()).toBe(false); // answered while the thread was still busy
    expect(mid.result).toBe(factorial(1500).toString());
    expect(p.stats()).toMatchObject({ inline: 1 });
    expect(DEFAULT_INLINE_MAX_DIGITS).toBe(4932); // evaluate() writes text up to 16,384 bits anyway
    await busy;
  });

  it('answers an exact root inline whatever its precision, and an irrational one in a worker', async () => {
    const p = pool();
    const root = (base: string, exponent: string, precision: number) =>
      p.run({
        operation: 'POWER',
        args: { base: parseRational(base), exponent: parseRational(exponent), precision },
      });
    // A million digits asked, none used: queued, it waited behind big computations and timed out.
    expect(await root('8', '1/3', 1_000_000)).toMatchObject({ result: '2', exact: true });
    expect(await root('27/8', '2/3', 999_999)).toMatchObject({ result: '2.25', exact: true });
    expect(p.stats()).toMatchObject({ inline: 2, pooled: 0 });
    // Its working numbers are what a 10,000-digit root needs: a task for a worker.
    expect((await root('2', '1/3', 10_000)).result).toMatch(/^1\.2599210498948731647/);
    expect(p.stats()).toMatchObject({ inline: 2, pooled: 1 });
  });

  it('writes the decimal text only when asked, inline and in a worker alike', async () => {
    const expected = factorial(5000).toString(); // 16326 digits: big enough to be summarized
    for (const inlineMaxDigits of [0, 100_000]) {
      const p = pool({ inlineMaxDigits });
      const summary = await p.run(factorialTask(5000), { text: false });
      expect(summary).toMatchObject({ exact: true, digits: 16326, preview: preview(expected) });
      expect(summary.result).toBeUndefined();
      const whole = await p.run(factorialTask(5000));
      expect(whole).toMatchObject({ result: expected, digits: 16326, preview: preview(expected) });
      // Small results come with their text anyway: writing it costs next to nothing.
      expect((await p.run(factorialTask(100), { text: false })).result).toBe(
        factorial(100).toString(),
      );
    }
  });

  it('keeps the event loop responsive while factorial(200000) computes in a worker', async () => {
    const p = pool();
    await warm(p); // start-up (thread + tsx) is not what this test measures

    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    let bigSettled = false;
    const bigStarted = performance.now();
    let bigMs = 0;
    const big = p.run(factorialTask(200000)).finally(() => {
      bigSettled = true;
      bigMs = performance.now() - bigStarted;
    });
    const latencies: number[] = [];
    while (!bigSettled) {
      const started = performance.now();
      const small = await p.run(factorialTask(10));
      if (!bigSettled) latencies.push(performance.now() - started);
      expect(small.result).toBe('3628800');
      await sleep(5);
    }
    loopDelay.disable();

    const result = await big;
    expect(result.digits).toBe(973351);
    // The big job must have been running while we sampled, or nothing was proven.
    expect(latencies.length).toBeGreaterThanOrEqual(5);
    // Each small answer, and the longest stall of the loop, took a small fraction of the big job.
    // Relative, because a busy machine slows both sides: here the slowest small answer took
    // 0.05–21 ms and the longest stall 11–56 ms, against 270–610 ms for the big job.
    expect(Math.max(...latencies)).toBeLessThan(bigMs / 4);
    expect(loopDelay.max / 1e6).toBeLessThan(bigMs / 4); // nanoseconds → ms
  });

  it.skipIf(process.platform !== 'linux')(
    'runs its workers at a lower priority than the event loop',
    async () => {
      const before = threadNices();
      const main = mainThreadNice();
      const p = pool({ maxThreads: 2, minThreads: 2, niceIncrement: 7 });
      await Promise.all([p.run(factorialTask(5000)), p.run(factorialTask(6000))]);
      // This thread (the event loop) keeps its priority; each worker lowered its own thread's
      // (and that of any thread it started, such as tsx's module-loader thread under Vitest):
      // one worker left at the event loop's would show here.
      expect(mainThreadNice()).toBe(main);
      const started = newThreadNices(before);
      expect(started.length).toBeGreaterThanOrEqual(2);
      expect(started).toEqual(started.map(() => main + 7));
    },
  );

  it('stops a task past its deadline with ComputationTimeoutError and keeps serving', async () => {
    const p = pool({ timeoutMs: 1000, maxThreads: 1 });
    await warm(p); // a warm thread, so the deadline is all computation

    const slow = p.run(factorialTask(3_000_000)); // seconds of work
    await expect(slow).rejects.toBeInstanceOf(ComputationTimeoutError);
    await expect(slow).rejects.toMatchObject({ timeoutMs: 1000 });

    // A long deadline: the replacement thread starts cold.
    const next = await p.run(factorialTask(6000), { timeoutMs: 120_000 });
    expect(next.result).toBe(factorial(6000).toString());
    // The stopped task's thread was ended (and replaced), not left computing in the background.
    expect(p.stats()).toMatchObject({ timedOut: 1, pooled: 2, pending: 0, threadsEnded: 1 });
  });

  it('starts queued tasks in submission order under steady load (one thread)', async () => {
    // Four clients that resubmit as soon as their answer arrives keep three tasks queued behind
    // the running one. With one thread, tasks finish in the order they start: served in order,
    // they finish in the order they were submitted; a task passed over (piscina#1031) finishes
    // after later ones, or not before its deadline. Order, not time, so a loaded machine that
    // slows every task alike changes nothing.
    const p = pool({ maxThreads: 1, timeoutMs: 60_000, inlineMaxDigits: 0 });
    const task = factorialTask(50000);
    await warm(p);
    let submitted = 0;
    const finished: number[] = [];
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (submitted < 40) {
          const ticket = submitted++;
          try {
            await p.run(task, { text: false });
            finished.push(ticket);
          } catch (error) {
            failures.push(`${ticket}: ${(error as Error).name}`);
          }
        }
      }),
    );
    expect(failures).toEqual([]);
    expect(p.stats()).toMatchObject({ timedOut: 0, pending: 0 });
    expect(finished).toHaveLength(40);
    expect(finished).toEqual([...finished].sort((a, b) => a - b));
  });

  it('shares threads fairly between owners: one owner’s backlog does not delay another’s task', async () => {
    // One thread. Alice queues 30 tasks, then Bob one. First come first served, Bob's would
    // wait for all of Alice's; taken in turns, it runs right after the one running now.
    const p = pool({ maxThreads: 1, inlineMaxDigits: 0 });
    const task = factorialTask(20000);
    const finished: string[] = [];
    const alice = Array.from({ length: 30 }, (_, i) =>
      p.run(task, { text: false, owner: 'alice' }).then(() => finished.push(`alice-${i}`)),
    );
    const bob = p.run(task, { text: false, owner: 'bob' }).then(() => finished.push('bob'));
    await Promise.all([...alice, bob]);
    expect(finished.indexOf('bob')).toBeLessThanOrEqual(2);
  });

  it('stops a queued task at its deadline or its caller’s abort, without waiting for a thread', async () => {
    const p = pool({ maxThreads: 1, timeoutMs: 800, inlineMaxDigits: 0 });
    await warm(p);
    // Rejections are watched from the start: they may arrive while another one is awaited.
    const holding = p.run(factorialTask(3_000_000)); // holds the one thread past the deadline
    const holdingSettled = settled(holding);
    const running = expect(holding).rejects.toBeInstanceOf(ComputationTimeoutError);
    const controller = new AbortController();
    const aborted = expect(
      p.run(factorialTask(6000), { signal: controller.signal }),
    ).rejects.toThrow('client went away');
    const queued = expect(p.run(factorialTask(6000))).rejects.toBeInstanceOf(
      ComputationTimeoutError,
    );
    controller.abort(new Error('client went away'));
    await aborted;
    expect(holdingSettled()).toBe(false); // refused while the thread was still taken
    await Promise.all([queued, running]);
    expect(p.stats()).toMatchObject({ timedOut: 2, pending: 0 });
    // A long deadline: the thread stopped at the deadline was replaced by a cold one.
    expect((await p.run(factorialTask(6000), { timeoutMs: 120_000 })).digits).toBe(20066);
  });

  it('lets queued tasks finish when closed without force', async () => {
    const p = pool({ maxThreads: 1, inlineMaxDigits: 0 });
    const tasks = [5000, 6000, 7000].map((n) => p.run(factorialTask(n)));
    await p.close();
    const results = await Promise.all(tasks);
    expect(results.map((r) => r.result)).toEqual(
      [5000, 6000, 7000].map((n) => factorial(n).toString()),
    );
    expect(p.stats()).toMatchObject({ pooled: 3, pending: 0, threads: 0 });
  });

  it('fails only the task whose worker runs out of memory', async () => {
    // A deadline far off: on a loaded machine the heap fills slowly, and a timeout is not what
    // this test is about.
    const p = pool({
      maxThreads: 1,
      timeoutMs: 150_000,
      resourceLimits: { maxOldGenerationSizeMb: 16 },
    });
    await warm(p);

    // 7^40000000 has ~34 million digits: its last squaring holds a 7 MB operand and a 14 MB
    // product at once, more than a 16 MB heap allows, before any decimal text is written.
    // (7^20000000 no longer does since powers are computed from the exponent's high bits.)
    const huge = p.run({
      operation: 'POWER',
      args: { base: parseRational('7'), exponent: parseRational('40000000'), precision: 50 },
    });
    await expect(huge).rejects.toBeInstanceOf(ComputationCrashedError);
    await expect(huge).rejects.toMatchObject({ reason: 'out of memory' });

    const next = await p.run(factorialTask(6000), { timeoutMs: 120_000 }); // a cold thread
    expect(next.digits).toBe(20066);
    expect(p.stats()).toMatchObject({ crashed: 1, pending: 0 });
  }, 180_000);

  it('rejects with the caller’s reason when its signal aborts, stopping the worker', async () => {
    const p = pool({ maxThreads: 1 });
    await warm(p);
    const controller = new AbortController();
    const running = p.run(factorialTask(3_000_000), { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('client went away')), 50);
    await expect(running).rejects.toThrow('client went away');
    // Its thread was ended (not left computing 3000000!) and a fresh one serves the next task.
    await waitFor(() => expect(p.stats().threadsEnded).toBe(1));
    expect((await p.run(factorialTask(6000), { timeoutMs: 120_000 })).digits).toBe(20066);
  });

  it('stops running tasks with PoolClosedError when closed with force', async () => {
    const p = pool({ maxThreads: 1 });
    await warm(p);
    const running = p.run(factorialTask(3_000_000));
    await sleep(50);
    // Watch the rejection before closing: it may arrive while close() is still awaited.
    // Finished, 3000000! would resolve; stopped, it rejects.
    const refused = expect(running).rejects.toBeInstanceOf(PoolClosedError);
    await p.close({ force: true });
    await refused;
    // The second close just waits for the first.
    await p.close();
    expect(p.stats()).toMatchObject({ pending: 0, threads: 0 });
  });

  it('refuses out-of-domain arguments before any work', async () => {
    const p = pool();
    await expect(p.run(factorialTask(-1))).rejects.toBeInstanceOf(DomainError);
    await expect(
      p.run({
        operation: 'POWER',
        args: { base: parseRational('0'), exponent: parseRational('-1'), precision: 50 },
      }),
    ).rejects.toThrow(/base is 0/);
    expect(p.stats()).toMatchObject({ inline: 0, pooled: 0, pending: 0 });
  });

  it('closes cleanly: threads end, no handles remain, later runs are refused', async () => {
    const before = activeResources();
    const p = createComputePool({ maxThreads: 2, minThreads: 2, timeoutMs: 30_000 });
    const running = p.run(factorialTask(100000));
    // Control: a busy worker does hold the event loop, so the check below can see a leak.
    expect(extraResources(before)).not.toEqual([]);
    await running;
    expect(p.stats().threads).toBe(2);

    await p.close();
    expect(p.stats().threads).toBe(0);
    // Nothing of ours is left (Vitest's own timers may come and go, hence "no more than").
    expect(extraResources(before)).toEqual([]);
    await expect(p.run(factorialTask(5))).rejects.toBeInstanceOf(PoolClosedError);
  });
});

/** What keeps this process's event loop alive (timers, ports, workers). */
function activeResources(): string[] {
  return process.getActiveResourcesInfo();
}

/** Resources alive now beyond those in `baseline`, counted per kind. */
function extraResources(baseline: string[]): string[] {
  const remaining = [...baseline];
  return activeResources().filter((name) => {
    const index = remaining.indexOf(name);
    if (index === -1) return true;
    remaining.splice(index, 1);
    return false;
  });
}
