/**
 * CPU time of processes, as the kernel accounts it (Linux /proc), so that a benchmark can say
 * how much CPU each process spent per answered request: the share of the machine a request
 * costs, which throughput on two shared cores comes down to.
 */
import { readFileSync } from 'node:fs';

/** Microseconds of CPU. */
export interface CpuTime {
  user: number;
  system: number;
}

/**
 * /proc reports in clock ticks of USER_HZ, which Linux fixes at 100 on every architecture Node
 * runs on (sysconf(_SC_CLK_TCK)); a tick is 10 ms, so a figure is only as exact as the number of
 * requests it is divided by is large.
 */
const MICROS_PER_TICK = 10_000;

/** User and system CPU of process `pid` and all its threads so far. */
export function processCpu(pid: number): CpuTime {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    user: Number(fields[11]) * MICROS_PER_TICK,
    system: Number(fields[12]) * MICROS_PER_TICK,
  };
}

/** This process's CPU so far (exact, from getrusage). */
export function ownCpu(): CpuTime {
  const { user, system } = process.cpuUsage();
  return { user, system };
}

/** Samples processes before a measurement; `perRequest` divides what each spent since by `requests`. */
export function cpuMeter(pids: Record<string, number>) {
  const sample = (): Record<string, CpuTime> => ({
    ...Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpu(pid)])),
    'load generator': ownCpu(),
  });
  const before = sample();
  return {
    perRequest(requests: number): Record<string, CpuTime> {
      const after = sample();
      return Object.fromEntries(
        Object.entries(after).map(([name, end]) => {
          const start = before[name] as CpuTime;
          return [
            name,
            {
              user: (end.user - start.user) / requests,
              system: (end.system - start.system) / requests,
            },
          ];
        }),
      );
    },
  };
}
