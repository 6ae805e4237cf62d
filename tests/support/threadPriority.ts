/**
 * The scheduling priority (Linux nice) of each thread of this process, by thread id, from /proc.
 * Linux only.
 */
import { readdirSync, readFileSync } from 'node:fs';

export function threadNices(): Map<number, number> {
  const nices = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // The 19th field; the command name before it, in parentheses, may itself hold spaces.
    nices.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return nices;
}

/** The nice of this process's main thread (whose thread id is the process id). */
export const mainThreadNice = (): number => threadNices().get(process.pid) as number;

/** The nices of the threads started since `before` was read. */
export function newThreadNices(before: Map<number, number>): number[] {
  return [...threadNices()].filter(([tid]) => !before.has(tid)).map(([, nice]) => nice);
}
