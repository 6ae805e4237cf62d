/**
 * One password job in a worker thread (see passwordPool.ts). Synchronous bcrypt is right here:
 * the thread does nothing else, and the sync functions skip the async version's scheduling.
 * Imports nothing of ours, so the thread loads only bcryptjs.
 */
import bcrypt from 'bcryptjs';

export type PasswordJob =
  | { kind: 'hash'; password: string; rounds: number }
  | { kind: 'verify'; password: string; hash: string };

/** The job's answer, and how long this thread took over it (what admission plans with). */
export interface PasswordResult {
  value: string | boolean;
  ms: number;
}

export default function run(job: PasswordJob): PasswordResult {
  const started = performance.now();
  const value =
    job.kind === 'hash'
      ? bcrypt.hashSync(job.password, job.rounds)
      : bcrypt.compareSync(job.password, job.hash);
  return { value, ms: performance.now() - started };
}
